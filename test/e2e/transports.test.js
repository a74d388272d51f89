'use strict';
// The three ways the stock client connects: polling only, WebSocket only, and the default
// (polling, then upgrade to WebSocket).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startFixture } = require('./lib/fixture');
const { connect, echo, nextEvent, firesWithin } = require('./lib/util');

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

test('polling only: connects, echoes, never upgrades', async (t) => {
  const { socket, auth } = await connect(t, fixture.url, { transports: ['polling'] });
  const engine = socket.io.engine;
  assert.equal(engine.transport.name, 'polling');
  assert.deepEqual(auth, {});
  assert.match(socket.id, /^\S+$/);
  assert.match(engine.id, /^\S+$/);
  assert.notEqual(socket.id, engine.id, 'the Socket.IO id is not the Engine.IO sid');

  const upgraded = firesWithin(engine, 'upgrade', 700);
  assert.deepEqual(await echo(socket, 'over polling', 42), ['over polling', 42]);
  assert.equal(await upgraded, false, 'a polling-only client must not upgrade');
  assert.equal(engine.transport.name, 'polling');
});

test('polling only: the handshake offers the websocket upgrade and the fixture timings', async (t) => {
  const { socket, handshake } = await connect(t, fixture.url, { transports: ['polling'] });
  assert.deepEqual(Object.keys(handshake).sort(), [
    'maxPayload',
    'pingInterval',
    'pingTimeout',
    'sid',
    'upgrades',
  ]);
  assert.equal(handshake.sid, socket.io.engine.id);
  assert.deepEqual(handshake.upgrades, ['websocket']);
  assert.equal(handshake.pingInterval, 300);
  assert.equal(handshake.pingTimeout, 200);
  assert.equal(handshake.maxPayload, 1000000);
});

test('websocket only: connects, echoes, stays on websocket', async (t) => {
  const { socket, auth, handshake } = await connect(t, fixture.url, { transports: ['websocket'] });
  const engine = socket.io.engine;
  assert.equal(engine.transport.name, 'websocket');
  assert.deepEqual(auth, {});
  // A WebSocket session has nothing to upgrade to.
  assert.deepEqual(handshake.upgrades, []);
  assert.equal(handshake.pingInterval, 300);
  assert.deepEqual(await echo(socket, 'over websocket', { n: 1 }), ['over websocket', { n: 1 }]);
  assert.equal(engine.transport.name, 'websocket');
});

test('default: starts on polling and upgrades to websocket', async (t) => {
  const { io } = require('socket.io-client');
  const socket = io(fixture.url, { forceNew: true, reconnection: false });
  t.after(() => socket.disconnect());
  const engine = socket.io.engine;
  assert.equal(engine.transport.name, 'polling', 'the first transport is polling');
  const upgrade = nextEvent(engine, 'upgrade', 3000);
  await nextEvent(socket, 'connect', 3000);

  const [transport] = await upgrade;
  assert.equal(transport.name, 'websocket');
  assert.equal(engine.transport.name, 'websocket');
  assert.equal(socket.connected, true);
  assert.deepEqual(await echo(socket, 'after upgrade'), ['after upgrade']);
});

test('default: messages emitted while upgrading all arrive, in order', async (t) => {
  const { io } = require('socket.io-client');
  const socket = io(fixture.url, { forceNew: true, reconnection: false });
  t.after(() => socket.disconnect());
  const engine = socket.io.engine;
  const N = 200;
  const received = [];
  const all = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${received.length} of ${N} echoes arrived`)),
      5000,
    );
    socket.on('message-back', (i) => {
      received.push(i);
      if (received.length === N) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const upgraded = nextEvent(engine, 'upgrade', 3000);
  let sent = 0;
  // Emit before connecting (buffered), then a few per tick until the upgrade is done, so
  // that some go out on polling, some during the probe and some on the WebSocket.
  socket.emit('message', sent++);
  await new Promise((resolve) => {
    const tick = () => {
      for (let k = 0; k < 5 && sent < N; ++k) socket.emit('message', sent++);
      if (sent < N) setTimeout(tick, 2);
      else resolve();
    };
    tick();
  });
  await upgraded;
  await all;
  assert.deepEqual(
    received,
    Array.from({ length: N }, (_, i) => i),
  );
  assert.equal(engine.transport.name, 'websocket');
});

test('explicit order [websocket, polling] connects straight over websocket', async (t) => {
  const { socket } = await connect(t, fixture.url, { transports: ['websocket', 'polling'] });
  assert.equal(socket.io.engine.transport.name, 'websocket');
  assert.deepEqual(await echo(socket, 'x'), ['x']);
});

test('client disconnect over each transport leaves the server serving others', async (t) => {
  for (const transports of [['polling'], ['websocket']]) {
    const { socket } = await connect(t, fixture.url, { transports });
    const reason = nextEvent(socket, 'disconnect', 1000);
    socket.disconnect();
    assert.deepEqual((await reason)[0], 'io client disconnect');
  }
  const { socket } = await connect(t, fixture.url, { transports: ['websocket'] });
  assert.deepEqual(await echo(socket, 'still up'), ['still up']);
});
