'use strict';
// Reconnection: the stock client reconnects by itself after the server goes away (killed,
// shut down gracefully, or frozen past the heartbeat) and comes back on the same port.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { io } = require('socket.io-client');
const { startFixture } = require('./lib/fixture');
const { echo, nextEvent, sleep, within } = require('./lib/util');

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());
// A test that failed half-way may have left the fixture down: each test starts with one up.
beforeEach(async () => {
  if (!fixture.alive) fixture = await startFixture({ port: fixture.port });
});

// A reconnecting client with short delays. Resolves once connected, with the socket.
async function reconnectingClient(t, transports, auth) {
  const socket = io(fixture.url, {
    forceNew: true,
    transports,
    auth,
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    randomizationFactor: 0,
    timeout: 1000,
  });
  t.after(() => socket.disconnect());
  const authP = nextEvent(socket, 'auth', 3000);
  await nextEvent(socket, 'connect', 3000);
  assert.deepEqual((await authP)[0], auth);
  return socket;
}

// Restarts the fixture on the port it had. The old process must be gone.
async function restartSamePort() {
  const port = fixture.port;
  fixture = await startFixture({ port });
  assert.equal(fixture.port, port);
}

for (const transports of [['websocket'], ['polling'], ['polling', 'websocket']]) {
  const name = transports.join('+');
  test(`killed and restarted on the same port: the client reconnects (${name})`, async (t) => {
    const auth = { token: `t-${name}` };
    const socket = await reconnectingClient(t, transports, auth);
    const firstId = socket.id;
    const manager = socket.io;

    const disconnected = nextEvent(socket, 'disconnect', 3000);
    await fixture.kill();
    const [reason] = await disconnected;
    assert.ok(['transport close', 'transport error'].includes(reason), `reason: ${reason}`);

    // Emitted while disconnected: the client buffers it and sends it after reconnecting.
    socket.emit('message', 'sent while down');
    const attempts = [];
    manager.on('reconnect_attempt', (n) => attempts.push(n));
    await sleep(350); // a few failed attempts against the closed port

    const reconnected = nextEvent(manager, 'reconnect', 4000);
    const connected = nextEvent(socket, 'connect', 4000);
    const authAgain = nextEvent(socket, 'auth', 4000);
    const buffered = nextEvent(socket, 'message-back', 4000);
    for (const p of [reconnected, connected, authAgain, buffered]) p.catch(() => {});
    await restartSamePort();

    await reconnected; // the Manager has a new Engine.IO session
    await connected; // and the socket has joined "/" on it
    assert.ok(attempts.length >= 2, `${attempts.length} reconnect attempts`);
    assert.equal(socket.connected, true);
    assert.notEqual(socket.id, firstId, 'a new session gives a new socket id');
    assert.deepEqual((await authAgain)[0], auth, 'the CONNECT carries the same auth again');
    assert.deepEqual(await buffered, ['sent while down']);
    assert.deepEqual(await echo(socket, 'after reconnect'), ['after reconnect']);
  });
}

test('graceful shutdown (SIGTERM): clients are told, the process exits 0, clients reconnect', async (t) => {
  const ws = await reconnectingClient(t, ['websocket'], { k: 'ws' });
  const polling = await reconnectingClient(t, ['polling'], { k: 'polling' });
  const wsGone = nextEvent(ws, 'disconnect', 3000);
  const pollingGone = nextEvent(polling, 'disconnect', 3000);
  // Let the polling client's next GET reach the server: the close packet goes out on a
  // waiting GET (one that arrives after the session closed gets 400 "Session ID unknown",
  // which the client reports as 'transport error').
  await sleep(50);

  const started = Date.now();
  const code = await fixture.stop(5000);
  const took = Date.now() - started;
  assert.equal(code, 0, 'exit code after SIGTERM');
  // The server exits once its sessions are closed, well before its 2 s grace period.
  assert.ok(took < 1000, `shutdown took ${took} ms`);
  assert.equal((await wsGone)[0], 'transport close');
  assert.equal((await pollingGone)[0], 'transport close');

  const back = Promise.all([nextEvent(ws, 'connect', 4000), nextEvent(polling, 'connect', 4000)]);
  back.catch(() => {});
  await restartSamePort();
  await back;
  assert.deepEqual(await echo(ws, 'ws back'), ['ws back']);
  assert.deepEqual(await echo(polling, 'polling back'), ['polling back']);
});

test('frozen past the heartbeat, then thawed: the client reconnects to the same server', async (t) => {
  const socket = await reconnectingClient(t, ['websocket'], { k: 'frozen' });
  const firstId = socket.id;
  const dropped = nextEvent(socket, 'disconnect', 3000);
  fixture.signal('SIGSTOP');
  let reason;
  try {
    [reason] = await dropped;
  } finally {
    fixture.signal('SIGCONT');
  }
  assert.equal(reason, 'ping timeout');
  await within(nextEvent(socket, 'connect', 4000), 4000, 'reconnect');
  assert.equal(socket.connected, true);
  assert.notEqual(socket.id, firstId);
  assert.deepEqual(await echo(socket, 'thawed'), ['thawed']);
});
