'use strict';
// Namespaces: the `auth` echo of the CONNECT payload on "/" and "/custom", several namespaces
// multiplexed over one Engine.IO session, and refused namespaces.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { io, Manager } = require('socket.io-client');
const { startFixture } = require('./lib/fixture');
const { connect, echo, nextEvent, firesWithin, within, sleep } = require('./lib/util');

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

const AUTH = {
  token: 'abc.def.ghi',
  user: { id: 42, name: 'Zoë 😀', roles: ['admin', 'user'] },
  flags: [true, false, null],
  n: -1.5,
};

for (const transport of ['polling', 'websocket']) {
  describe(`auth echo over ${transport}`, () => {
    for (const nsp of ['/', '/custom']) {
      test(`${nsp}: no auth gives {}`, async (t) => {
        const { auth } = await connect(t, fixture.url + (nsp === '/' ? '' : nsp), {
          transports: [transport],
        });
        assert.deepEqual(auth, {});
      });

      test(`${nsp}: an auth object comes back as sent`, async (t) => {
        const { auth } = await connect(t, fixture.url + (nsp === '/' ? '' : nsp), {
          transports: [transport],
          auth: AUTH,
        });
        assert.deepEqual(auth, AUTH);
      });

      test(`${nsp}: an auth callback is used`, async (t) => {
        const { auth } = await connect(t, fixture.url + (nsp === '/' ? '' : nsp), {
          transports: [transport],
          auth: (cb) => cb({ from: 'callback', nsp }),
        });
        assert.deepEqual(auth, { from: 'callback', nsp });
      });
    }
  });
}

describe('multiplexing', () => {
  test('io(url) and io(url + "/custom") share one Manager and one Engine.IO session', async (t) => {
    // The default (multiplex: true) io() cache: the second call reuses the first's Manager.
    const root = io(fixture.url, { transports: ['websocket'], reconnection: false, auth: { who: 'root' } });
    const custom = io(`${fixture.url}/custom`, { auth: { who: 'custom' } });
    t.after(() => {
      custom.disconnect();
      root.disconnect();
    });
    const rootAuth = nextEvent(root, 'auth', 3000);
    const customAuth = nextEvent(custom, 'auth', 3000);
    await Promise.all([nextEvent(root, 'connect', 3000), nextEvent(custom, 'connect', 3000)]);

    assert.equal(root.io, custom.io, 'one Manager');
    assert.ok(root.io.engine, 'the manager has an engine');
    assert.equal(root.io.engine.id, custom.io.engine.id);
    assert.deepEqual(Object.keys(root.io.nsps).sort(), ['/', '/custom']);
    assert.notEqual(root.id, custom.id, 'each namespace has its own socket id');
    // Each namespace got its own CONNECT with its own auth.
    assert.deepEqual((await rootAuth)[0], { who: 'root' });
    assert.deepEqual((await customAuth)[0], { who: 'custom' });
  });

  test('events are routed by namespace on the shared session', async (t) => {
    const manager = new Manager(fixture.url, { transports: ['websocket'], reconnection: false });
    const root = manager.socket('/');
    const custom = manager.socket('/custom');
    t.after(() => {
      custom.disconnect();
      root.disconnect();
    });
    const customAuth = nextEvent(custom, 'auth', 3000);
    await Promise.all([nextEvent(root, 'connect', 3000), nextEvent(custom, 'connect', 3000)]);
    await customAuth;
    const engine = manager.engine;

    // "/custom" has no echo handler: a `message` there gets nothing back, on either socket.
    const customBack = firesWithin(custom, 'message-back', 400);
    const rootBackFromCustom = firesWithin(root, 'message-back', 400);
    custom.emit('message', 'to custom');
    assert.equal(await customBack, false, '/custom must not echo');
    assert.equal(await rootBackFromCustom, false, "/custom's event must not reach /");

    // "/" echoes only to "/".
    const customSeesRoot = firesWithin(custom, 'message-back', 300);
    assert.deepEqual(await echo(root, 'to root'), ['to root']);
    assert.equal(await customSeesRoot, false, "/'s echo must not reach /custom");
    assert.equal(manager.engine, engine, 'still the same engine');
  });

  test('leaving one namespace keeps the session and the other namespace; rejoining works', async (t) => {
    const manager = new Manager(fixture.url, { transports: ['websocket'], reconnection: false });
    const root = manager.socket('/');
    const custom = manager.socket('/custom');
    t.after(() => {
      custom.disconnect();
      root.disconnect();
    });
    await Promise.all([nextEvent(root, 'connect', 3000), nextEvent(custom, 'connect', 3000)]);
    const engine = manager.engine;
    const sid = engine.id;

    custom.disconnect();
    assert.deepEqual(await echo(root, 'still here'), ['still here']);
    assert.equal(engine.readyState, 'open');

    // Rejoin /custom on the same session: a fresh CONNECT, a fresh `auth` event.
    const auth = nextEvent(custom, 'auth', 2000);
    custom.connect();
    await nextEvent(custom, 'connect', 2000);
    assert.deepEqual((await auth)[0], {});
    assert.equal(manager.engine.id, sid, 'same Engine.IO session');

    // Leaving "/" as well closes the session (the client closes the engine when no
    // namespace is left).
    const closed = nextEvent(engine, 'close', 2000);
    root.disconnect();
    custom.disconnect();
    assert.equal((await closed)[0], 'forced close');
  });

  test('the same namespace twice on one Manager is one socket', async (t) => {
    const manager = new Manager(fixture.url, { transports: ['websocket'], reconnection: false });
    const a = manager.socket('/custom');
    const b = manager.socket('/custom');
    t.after(() => a.disconnect());
    assert.equal(a, b);
    await nextEvent(a, 'connect', 3000);
  });

  test('multiplexed over polling too', async (t) => {
    const manager = new Manager(fixture.url, { transports: ['polling'], reconnection: false });
    const root = manager.socket('/', { auth: { a: 1 } });
    const custom = manager.socket('/custom', { auth: { b: 2 } });
    t.after(() => {
      custom.disconnect();
      root.disconnect();
    });
    const auths = Promise.all([nextEvent(root, 'auth', 3000), nextEvent(custom, 'auth', 3000)]);
    await Promise.all([nextEvent(root, 'connect', 3000), nextEvent(custom, 'connect', 3000)]);
    assert.deepEqual(await auths, [[{ a: 1 }], [{ b: 2 }]]);
    assert.equal(manager.engine.transport.name, 'polling');
    assert.deepEqual(await echo(root, 'p'), ['p']);
  });
});

describe('refused namespaces', () => {
  for (const transport of ['polling', 'websocket']) {
    test(`an unknown namespace gets connect_error "Invalid namespace" (${transport})`, async (t) => {
      const socket = io(`${fixture.url}/nope`, {
        forceNew: true,
        reconnection: false,
        transports: [transport],
      });
      t.after(() => socket.disconnect());
      let connected = false;
      socket.on('connect', () => {
        connected = true;
      });
      const [err] = await nextEvent(socket, 'connect_error', 3000);
      assert.ok(err instanceof Error);
      assert.equal(err.message, 'Invalid namespace');
      await sleep(100);
      assert.equal(connected, false);
      assert.equal(socket.connected, false);
    });
  }

  test('namespace names are exact: "/Custom", "/custom/" and "/custom/x" are unknown', async (t) => {
    for (const nsp of ['/Custom', '/custom/', '/custom/x']) {
      const manager = new Manager(fixture.url, { transports: ['websocket'], reconnection: false });
      const socket = manager.socket(nsp);
      t.after(() => socket.disconnect());
      const [err] = await nextEvent(socket, 'connect_error', 3000);
      assert.equal(err.message, 'Invalid namespace', nsp);
    }
  });

  test('a refused namespace does not disturb the others on the same session', async (t) => {
    const manager = new Manager(fixture.url, { transports: ['websocket'], reconnection: false });
    const root = manager.socket('/');
    t.after(() => root.disconnect());
    await nextEvent(root, 'connect', 3000);
    const sid = manager.engine.id;

    const bad = manager.socket('/does-not-exist');
    t.after(() => bad.disconnect());
    const [err] = await nextEvent(bad, 'connect_error', 3000);
    assert.equal(err.message, 'Invalid namespace');

    assert.equal(root.connected, true);
    assert.equal(manager.engine.id, sid);
    assert.deepEqual(await echo(root, 'unaffected'), ['unaffected']);

    // And a valid one can still join afterwards.
    const custom = manager.socket('/custom');
    t.after(() => custom.disconnect());
    await within(nextEvent(custom, 'connect', 3000), 3000, 'custom connect');
    assert.equal(manager.engine.id, sid);
  });
});
