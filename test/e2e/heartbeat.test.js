'use strict';
// Heartbeat (pingInterval 300 ms, pingTimeout 200 ms): healthy sessions stay up, the client
// notices a frozen server, and the server drops clients that stop answering pings.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { startFixture } = require('./lib/fixture');
const { connect, echo, nextEvent, firesWithin, sleep, within } = require('./lib/util');

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

// A raw Engine.IO WebSocket client that records what it receives, with timestamps.
async function rawWebSocket(t, path, { answerPings }) {
  const ws = new WebSocket(`${fixture.wsUrl}${path}?EIO=4&transport=websocket`);
  t.after(() => ws.terminate());
  const log = [];
  const start = { at: 0 };
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
      if (text === '2' && answerPings) ws.send('3');
    });
  });
  const handshake = await within(opened, 2000, 'no open packet');
  return { ws, log, handshake, start, closed };
}

describe('healthy sessions stay up', { concurrency: true }, () => {
  for (const transport of ['polling', 'websocket']) {
    test(`socket.io-client over ${transport} answers pings and stays connected`, async (t) => {
      const { socket } = await connect(t, fixture.url, { transports: [transport] });
      let pings = 0;
      socket.io.engine.on('ping', () => ++pings);
      const dropped = firesWithin(socket, 'disconnect', 1700);
      assert.equal(await dropped, false, 'no disconnect across several heartbeats');
      // 1700 ms at one ping per ~300 ms.
      assert.ok(pings >= 4 && pings <= 7, `${pings} pings in 1700 ms`);
      assert.deepEqual(await echo(socket, 'alive'), ['alive']);
    });
  }

  test('a raw client that answers pings is pinged every pingInterval and kept', async (t) => {
    const { ws, log, start, closed } = await rawWebSocket(t, '/engine.io/', { answerPings: true });
    const wasClosed = await Promise.race([closed.then(() => true), sleep(1400).then(() => false)]);
    assert.equal(wasClosed, false, 'the session must survive');
    const pings = log.filter((m) => m.text === '2').map((m) => m.at - start.at);
    assert.ok(pings.length >= 3 && pings.length <= 5, `pings at ${pings}`);
    // Each ping comes about pingInterval after the previous one was answered.
    pings.forEach((at, i) => {
      const expected = (i + 1) * PING_INTERVAL;
      assert.ok(at >= expected - 50 && at <= expected + 250, `ping ${i} at ${at} ms`);
    });
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
      const elapsed = at - start.at;
      const expected = PING_INTERVAL + PING_TIMEOUT;
      assert.ok(elapsed >= expected - 50 && elapsed <= expected + 300, `closed after ${elapsed} ms`);
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
    assert.ok(pingAt >= PING_INTERVAL - 50 && pingAt <= PING_INTERVAL + 250, `ping after ${pingAt} ms`);
    // No pong: the next GET is answered with the close packet when the timeout expires.
    const second = await (await fetch(`${base}&sid=${sid}`)).text();
    const closeAt = Date.now() - started;
    assert.equal(second, '1');
    const expected = PING_INTERVAL + PING_TIMEOUT;
    assert.ok(closeAt >= expected - 50 && closeAt <= expected + 300, `closed after ${closeAt} ms`);
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
