'use strict';
// Heartbeat (pingInterval 300 ms, pingTimeout 200 ms): healthy sessions stay up, the client
// notices a frozen server, and the server drops clients that stop answering pings.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { startFixture } = require('./lib/fixture');
const { connect, echo, nextEvent, sleep, within } = require('./lib/util');

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

// A raw Engine.IO WebSocket client that records what it receives and when it answered pings.
// Times are taken on this side, so they include delivery delays of a loaded machine.
async function rawWebSocket(t, path, { answerPings }) {
  const ws = new WebSocket(`${fixture.wsUrl}${path}?EIO=4&transport=websocket`);
  t.after(() => ws.terminate());
  const log = [];
  const pongs = [];
  const start = { at: 0, wsOpenAt: 0 };
  ws.once('open', () => {
    start.wsOpenAt = Date.now();
  });
  const closed = new Promise((resolve) => ws.once('close', (code) => resolve({ code, at: Date.now() })));
  const opened = new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      log.push({ at: Date.now(), text });
      if (text?.startsWith('0')) {
        start.at = Date.now();
        resolve(JSON.parse(text.slice(1)));
      }
      if (text === '2' && answerPings) {
        pongs.push(Date.now());
        ws.send('3');
      }
    });
  });
  const handshake = await within(opened, 2000, 'no open packet');
  return { ws, log, pongs, handshake, start, closed };
}

describe('healthy sessions stay up', { concurrency: true }, () => {
  for (const transport of ['polling', 'websocket']) {
    test(`socket.io-client over ${transport} answers pings and stays connected`, async (t) => {
      const { socket } = await connect(t, fixture.url, { transports: [transport] });
      let pings = 0;
      socket.io.engine.on('ping', () => ++pings);
      let reason = null;
      socket.on('disconnect', (r) => (reason ??= r));
      await sleep(1700);
      assert.equal(reason, null, 'no disconnect across several heartbeats');
      // 1700 ms at one ping per ~300 ms.
      assert.ok(pings >= 4 && pings <= 7, `${pings} pings in 1700 ms`);
      assert.deepEqual(await echo(socket, 'alive'), ['alive']);
    });
  }

  test('a raw client that answers pings is pinged every pingInterval and kept', async (t) => {
    const { ws, log, pongs, start, closed } = await rawWebSocket(t, '/engine.io/', { answerPings: true });
    const wasClosed = await Promise.race([closed.then(() => true), sleep(1400).then(() => false)]);
    assert.equal(wasClosed, false, 'the session must survive');
    const pings = log.filter((m) => m.text === '2').map((m) => m.at);
    assert.ok(pings.length >= 3 && pings.length <= 5, `${pings.length} pings in 1400 ms`);
    // The first ping comes pingInterval after the session opened. Only an upper bound: a busy
    // machine may deliver our 'open' late, which shortens the gap as seen from here.
    const first = pings[0] - start.wsOpenAt;
    assert.ok(first <= PING_INTERVAL + 300, `first ping after ${first} ms`);
    // Each later ping comes pingInterval after the pong to the previous one: never sooner
    // (the server re-arms when it receives the pong, after we sent it).
    for (let i = 1; i < pings.length; ++i) {
      const gap = pings[i] - pongs[i - 1];
      assert.ok(gap >= PING_INTERVAL - 5 && gap <= PING_INTERVAL + 300, `ping ${i} ${gap} ms after the pong`);
    }
    const back = new Promise((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('4still here');
    assert.equal(await within(back, 1000, 'echo'), '4still here');
  });
});

describe('the server drops a client that stops answering', { concurrency: true }, () => {
  for (const path of ['/engine.io/', '/socket.io/']) {
    test(`a WebSocket client that never pongs is closed after pingInterval + pingTimeout (${path})`, async (t) => {
      const { ws, log, start, closed } = await rawWebSocket(t, path, { answerPings: false });
      if (path === '/socket.io/') ws.send('40'); // join "/" so only the heartbeat can close it
      const { at } = await within(closed, 2000, 'the server never closed the connection');
      const expected = PING_INTERVAL + PING_TIMEOUT;
      const elapsed = at - start.wsOpenAt;
      assert.ok(elapsed >= expected - 100 && elapsed <= expected + 400, `closed after ${elapsed} ms`);
      // The close comes pingTimeout after the ping (measured on our side).
      const pingAt = log.find((m) => m.text === '2')?.at;
      assert.ok(pingAt, 'a ping came before the close');
      const afterPing = at - pingAt;
      assert.ok(afterPing >= PING_TIMEOUT - 100 && afterPing <= PING_TIMEOUT + 300, `closed ${afterPing} ms after the ping`);
      const pings = log.filter((m) => m.text === '2');
      assert.equal(pings.length, 1, 'one unanswered ping, then the close');
    });
  }

  test('a polling session that stops polling is forgotten after pingInterval + pingTimeout', async () => {
    const base = `${fixture.url}/engine.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base)).text();
    assert.match(open, /^0\{/);
    const { sid } = JSON.parse(open.slice(1));
    await sleep(PING_INTERVAL + PING_TIMEOUT + 250);
    const res = await fetch(`${base}&sid=${sid}`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: 1, message: 'Session ID unknown' });
  });

  test('a polling client gets the ping on its GET, then the close packet when it does not pong', async () => {
    const base = `${fixture.url}/engine.io/?EIO=4&transport=polling`;
    const started = Date.now();
    const { sid } = JSON.parse((await (await fetch(base)).text()).slice(1));
    const first = await (await fetch(`${base}&sid=${sid}`)).text();
    const pingAt = Date.now() - started;
    assert.equal(first, '2');
    assert.ok(pingAt >= PING_INTERVAL - 50 && pingAt <= PING_INTERVAL + 300, `ping after ${pingAt} ms`);
    // No pong: the next GET is answered with the close packet when the timeout expires.
    const second = await (await fetch(`${base}&sid=${sid}`)).text();
    const closeAt = Date.now() - started;
    assert.equal(second, '1');
    const expected = PING_INTERVAL + PING_TIMEOUT;
    assert.ok(closeAt >= expected - 50 && closeAt <= expected + 400, `closed after ${closeAt} ms`);
  });

  test('a polling client that pongs by POST stays up', async () => {
    const base = `${fixture.url}/engine.io/?EIO=4&transport=polling`;
    const { sid } = JSON.parse((await (await fetch(base)).text()).slice(1));
    for (let i = 0; i < 3; ++i) {
      assert.equal(await (await fetch(`${base}&sid=${sid}`)).text(), '2');
      const post = await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '3' });
      assert.equal(await post.text(), 'ok');
    }
    const post = await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '4bye' });
    assert.equal(post.status, 200);
    assert.equal(await (await fetch(`${base}&sid=${sid}`)).text(), '4bye');
  });
});

// Sequential, and after the others: SIGSTOP freezes every session of the fixture.
describe('the client notices a frozen server', () => {
  for (const transport of ['websocket', 'polling']) {
    test(`SIGSTOP the server: disconnect with "ping timeout" (${transport})`, async (t) => {
      const { socket } = await connect(t, fixture.url, { transports: [transport] });
      // Start right after a ping, so the client's deadline is a full interval + timeout away.
      await nextEvent(socket.io.engine, 'ping', 1000);
      const pingAt = Date.now();
      fixture.signal('SIGSTOP');
      let reason;
      try {
        [reason] = await nextEvent(socket, 'disconnect', 3000);
      } finally {
        fixture.signal('SIGCONT');
      }
      const elapsed = Date.now() - pingAt;
      assert.equal(reason, 'ping timeout');
      // The client allows pingInterval + pingTimeout after the last ping.
      const expected = PING_INTERVAL + PING_TIMEOUT;
      assert.ok(elapsed >= expected - 50 && elapsed <= expected + 400, `noticed after ${elapsed} ms`);

      // The server resumes and serves new clients.
      const again = await connect(t, fixture.url, { transports: [transport] });
      assert.deepEqual(await echo(again.socket, 'thawed'), ['thawed']);
    });
  }
});
