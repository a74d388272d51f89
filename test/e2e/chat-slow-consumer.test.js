'use strict';
// Slow consumers ("Hostile input and faults"): a client that stops reading must not stall its
// rooms or make the server buffer without bound. Each session's outbound queue is capped in
// bytes (4 MiB, core/engine/session.*); a session over the cap is closed as a slow consumer
// (confab_slow_consumer_disconnects_total in /metrics) and the rest of its room carries on.
//
// Each test: users A (sender, stock socket.io-client over WebSocket), B (WebSocket) and
// P (long-polling only) and a slow user in one group chat. First a baseline: A sends messages
// one at a time, each waiting until both B and P have it, and the end-to-end latency (A's emit
// to B's / P's message:received) is recorded. Then the slow user's client joins the room and
// stops reading (a real TCP socket that is never read again, or a polling session that never
// GETs again), and A floods the room the same way with large messages. Checked: the slow
// client is dropped as a slow consumer (metric, and the room sees it go offline) once its
// queue is full; the server closes the WebSocket's TCP connection at once (not when its
// blocked write would time out) and forgets the polling sid; B and
// P get every message, in order, with no added latency beyond a generous bound; the server's
// RSS stays bounded. Timing bounds are loose on purpose: this runs on a loaded 2-core machine
// under ASan too.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const WebSocket = require('ws');
const C = require('./lib/confab');

// A short heartbeat bounds how long the slow socket can linger (the WebSocket write timeout is
// pingInterval + pingTimeout, at least 10 s), yet leaves the flood time enough to reach the cap
// first: the heartbeat would also drop a client that never answers, but not as a slow consumer.
const PING_INTERVAL = 10000;
const PING_TIMEOUT = 5000;
const WRITE_TIMEOUT = Math.max(PING_INTERVAL + PING_TIMEOUT, 10000);
const OUTBOX_CAP = 4 * 1024 * 1024;

const srv = C.useServer({
  extraArgs: [
    '--rate-limit-per-sec', '100000', '--rate-limit-burst', '100000',
    '--durability', 'async',
    '--ping-interval', String(PING_INTERVAL), '--ping-timeout', String(PING_TIMEOUT),
  ],
  // Under ASan, freed memory sits in a quarantine of up to 256 MiB, which the RSS bound would
  // count; a small one keeps the bound meaningful (ignored by a build without ASan).
  env: { ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'quarantine_size_mb=16'].filter(Boolean).join(':') },
});
const S = () => srv.server;

const BASELINE_MESSAGES = 60;
// 9000 three-byte characters: about 27 KB on the wire, under the 10000-character limit.
const BODY = '€'.repeat(9000);
const MESSAGE_BYTES = Buffer.byteLength(BODY);
// Enough to fill the cap plus every kernel buffer on the way (loopback send and receive
// buffers grow to several MiB) several times over; the flood stops earlier once the slow
// consumer is gone.
const MAX_FLOOD_MESSAGES = Math.ceil((64 * 1024 * 1024) / MESSAGE_BYTES);
const AFTER_DROP_MESSAGES = 40;
const LATENCY_SLACK_MS = 150;
const RSS_SLACK_BYTES = 64 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Helpers

function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'no VmRSS in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

async function metric(server, name) {
  const res = await C.api(server, 'GET', '/metrics');
  assert.equal(res.status, 200, `/metrics: ${res.status}`);
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(res.text);
  assert.ok(m, `no ${name} in /metrics:\n${res.text}`);
  return Number(m[1]);
}

// Whether the server process still holds the TCP connection between its `serverPort` and
// the client's `clientPort` (an open socket file descriptor), and the bytes in its send queue.
// Once the server closes the socket, the connection is gone or orphaned (inode 0) even while
// the kernel still tries to deliver what was queued to a peer that does not read.
function serverConnection(pid, serverPort, clientPort) {
  const hex = (p) => `:${p.toString(16).toUpperCase().padStart(4, '0')}`;
  let inode = null;
  let sendQueue = 0;
  for (const table of ['tcp', 'tcp6']) {
    let text;
    try {
      text = fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      if (cols[1].endsWith(hex(serverPort)) && cols[2].endsWith(hex(clientPort))) {
        inode = cols[9];
        sendQueue = parseInt(cols[4].split(':')[0], 16);
      }
    }
  }
  let held = false;
  if (inode && inode !== '0') {
    const target = `socket:[${inode}]`;
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === target) held = true;
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return { held, sendQueue };
}

// Samples every 50 ms whether the server still holds that connection; `releasedAt` is when it
// was first seen gone.
function watchRelease(t, pid, serverPort, clientPort) {
  const watch = { releasedAt: null };
  const timer = setInterval(() => {
    if (!serverConnection(pid, serverPort, clientPort).held) {
      watch.releasedAt = Date.now();
      clearInterval(timer);
    }
  }, 50);
  t.after(() => clearInterval(timer));
  return watch;
}

async function waitUntil(pred, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} (after ${ms} ms)`);
    await C.sleep(50);
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const summary = (v) =>
  `n=${v.length} p50=${percentile(v, 50)} p99=${percentile(v, 99)} max=${Math.max(...v)} ms`;

// A, B, P and the slow user in one group chat; A, B and P connected (B over WebSocket, P over
// long-polling only) and joined.
async function setup(t) {
  const [a, b, p, slow] = await Promise.all(['sa', 'sb', 'sp', 'ss'].map((x) => C.register(S(), x)));
  const chat = await C.createChat(S(), a, { participants: [b, p, slow] });
  const sa = await C.connectSocket(t, S(), a.token, { name: 'a', transports: ['websocket'] });
  const sb = await C.connectSocket(t, S(), b.token, { name: 'b', transports: ['websocket'] });
  const sp = await C.connectSocket(t, S(), p.token, { name: 'p', transports: ['polling'] });
  for (const s of [sa, sb, sp]) await C.join(s, chat._id);
  return { a, b, p, slow, chat, sa, sb, sp };
}

// Sends `count` messages from `sa` one at a time, each once B and P both have it; resolves with
// their latencies in ms. Stops early when `stop()` says so (checked after each message).
async function sendRound(ctx, tag, count, { stop = () => false, onEach = () => {} } = {}) {
  const { chat, sa, sb, sp } = ctx;
  const latencies = [];
  let sent = 0;
  for (; sent < count; sent += 1) {
    const content = `${tag}-${sent} ${BODY}`;
    const fromB = sb.rec.mark();
    const fromP = sp.rec.mark();
    const isIt = (m) => m && m.chatId === chat._id && m.content === content;
    const gotB = sb.rec.waitFor('message:received', isIt, { from: fromB, ms: 10000 });
    const gotP = sp.rec.waitFor('message:received', isIt, { from: fromP, ms: 10000 });
    const t0 = Date.now();
    sa.emit('message:send', {
      chatId: chat._id,
      content,
      messageType: 'text',
      attachments: [],
      replyTo: null,
      clientMessageId: C.clientMessageId(),
    });
    await Promise.all([gotB, gotP]);
    const atB = sb.rec.since(fromB, 'message:received').find((e) => isIt(e.args[0])).at;
    const atP = sp.rec.since(fromP, 'message:received').find((e) => isIt(e.args[0])).at;
    latencies.push(atB - t0, atP - t0);
    onEach(sent);
    if (stop()) {
      sent += 1;
      break;
    }
  }
  return { latencies, sent };
}

// A floods the room (as in sendRound) until the room has seen the slow user go offline and
// AFTER_DROP_MESSAGES more messages went through, or MAX_FLOOD_MESSAGES were sent; the
// server's RSS is sampled on the way.
async function floodUntilDropped(t, ctx, pid, rssBefore, baseline) {
  let rssMax = rssBefore;
  let droppedAt = null;
  let droppedTime = null;
  const fromB = ctx.sb.rec.mark();
  const flood = await sendRound(ctx, 'flood', MAX_FLOOD_MESSAGES, {
    onEach: (i) => {
      if (i % 10 === 0) rssMax = Math.max(rssMax, rssBytes(pid));
      if (droppedAt !== null) return;
      const offline = ctx.sb.rec.since(fromB, 'user:offline').find((e) => e.args[0] && e.args[0].userId === ctx.slow.id);
      if (offline) {
        droppedAt = i + 1;
        droppedTime = offline.at;
      }
    },
    stop: () => droppedAt !== null && ctx.sb.rec.since(fromB, 'message:received').length >= droppedAt + AFTER_DROP_MESSAGES,
  });
  rssMax = Math.max(rssMax, rssBytes(pid));
  const floodBytes = flood.sent * MESSAGE_BYTES;
  const mib = (n) => (n / 1048576).toFixed(1);
  const info =
    `flood: ${flood.sent} messages (${mib(floodBytes)} MiB), slow client dropped by message ${droppedAt}; ` +
    `server RSS before ${mib(rssBefore)} MiB, max ${mib(rssMax)} MiB; ` +
    `latency baseline ${summary(baseline.latencies)}, flood ${summary(flood.latencies)}`;
  t.diagnostic(info);
  return { flood, droppedAt, droppedTime, rssMax, floodBytes, info };
}

// Every message `tag`-0 .. `tag`-(n-1) reached `socket` exactly once, in order.
function assertAllDelivered(socket, chatId, tag, n, who) {
  const got = socket.rec
    .payloads('message:received', (m) => m.chatId === chatId && m.content.startsWith(`${tag}-`))
    .map((m) => m.content.slice(0, m.content.indexOf(' ')));
  const want = Array.from({ length: n }, (_, i) => `${tag}-${i}`);
  assert.deepEqual(got, want, `${who} did not get every '${tag}' message exactly once, in order`);
}

// A member that does not read must not slow down the others: their latencies during the flood
// stay within LATENCY_SLACK_MS of the baseline's p99. Checked on the messages sent while the
// slow client was still connected (two latencies per message: B's and P's), and on the whole
// flood.
function assertNoAddedLatency(baseline, flood, droppedAt) {
  const bound = percentile(baseline, 99) + LATENCY_SLACK_MS;
  const whileSlow = flood.slice(0, 2 * droppedAt);
  for (const [what, v] of [['while the slow client was connected', whileSlow], ['during the whole flood', flood]]) {
    assert.ok(
      percentile(v, 99) <= bound,
      `the others' latency grew ${what}: baseline ${summary(baseline)}, then ${summary(v)}; bound p99 <= ${bound} ms`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// A raw Engine.IO / Socket.IO client over one WebSocket (the `ws` package), authenticated and
// joined to `chatId`, that can stop reading its TCP socket.

async function slowWebSocket(t, server, token, chatId) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`, {
    perMessageDeflate: false,
  });
  t.after(() => ws.terminate());
  const inbox = [];
  let waiter = null;
  const client = { ws, received: 0, receivedBytes: 0, closed: false, closeCode: null };
  client.closedP = new Promise((resolve) => {
    ws.once('close', (code) => {
      client.closed = true;
      client.closeCode = code;
      resolve(code);
    });
  });
  ws.on('message', (data) => {
    const text = data.toString();
    client.received += 1;
    client.receivedBytes += data.length;
    if (text === '2') {
      ws.send('3');
      return;
    }
    inbox.push(text);
    if (waiter) waiter();
  });
  ws.on('error', () => {});
  // The next message satisfying `pred`; messages before it are dropped.
  const next = async (pred, what) => {
    const end = Date.now() + 5000;
    for (;;) {
      while (inbox.length) {
        const m = inbox.shift();
        if (pred(m)) return m;
      }
      if (client.closed) throw new Error(`slow WebSocket: closed while waiting for ${what}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`slow WebSocket: no ${what} within 5000 ms`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        waiter = () => {
          clearTimeout(timer);
          waiter = null;
          resolve();
        };
      });
    }
  };
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const open = await next((m) => m[0] === '0', 'Engine.IO open packet');
  client.sid = JSON.parse(open.slice(1)).sid;
  ws.send(`40${JSON.stringify({ token })}`);
  const connect = await next((m) => m.startsWith('40') || m.startsWith('44'), 'Socket.IO CONNECT');
  assert.ok(connect.startsWith('40{'), `slow WebSocket: connect refused: ${connect}`);
  ws.send(`421${JSON.stringify(['chat:join', { chatId }])}`);
  const ack = await next((m) => m.startsWith('431'), 'chat:join ack');
  assert.equal(JSON.parse(ack.slice(3))[0].ok, true, `slow WebSocket: chat:join: ${ack}`);
  client.clientPort = ws._socket.localPort;
  // Stops reading: ws stops reading the TCP socket, so the client's receive buffer fills, then
  // the server's send buffer, then the server's queue for this session. (Node cannot shrink
  // SO_RCVBUF on a TCP socket; the loopback buffers are why the flood is many MiB.)
  client.stopReading = () => ws.pause();
  client.resumeReading = () => ws.resume();
  return client;
}

// ---------------------------------------------------------------------------------------------
// A raw Engine.IO long-polling session (fetch), connected to "/" with `token` and joined to
// `chatId`, that can simply stop sending GETs.

async function slowPolling(server, token, chatId) {
  const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
  const req = async (method, url, body) => {
    const res = await fetch(url, { method, body, signal: AbortSignal.timeout(10000) });
    return { status: res.status, text: await res.text() };
  };
  const open = await req('GET', base);
  assert.equal(open.status, 200, `polling handshake: ${open.status} ${open.text}`);
  assert.equal(open.text[0], '0', `polling handshake: ${open.text}`);
  const sid = JSON.parse(open.text.slice(1)).sid;
  const url = `${base}&sid=${encodeURIComponent(sid)}`;
  // Engine.IO v4 payload: packets separated by \x1e.
  const packets = [];
  const get = async () => {
    const res = await req('GET', url);
    assert.equal(res.status, 200, `polling GET: ${res.status} ${res.text}`);
    packets.push(...res.text.split('\x1e'));
  };
  const until = async (pred, what) => {
    for (let i = 0; i < 20; i += 1) {
      const hit = packets.findIndex(pred);
      if (hit >= 0) return packets.splice(0, hit + 1)[hit];
      await get();
    }
    throw new Error(`slow polling client: no ${what}`);
  };
  const post = async (body) => {
    const res = await req('POST', url, body);
    assert.equal(res.status, 200, `polling POST: ${res.status} ${res.text}`);
  };
  await post(`40${JSON.stringify({ token })}`);
  const connect = await until((m) => m.startsWith('40') || m.startsWith('44'), 'Socket.IO CONNECT');
  assert.ok(connect.startsWith('40{'), `slow polling client: connect refused: ${connect}`);
  await post(`421${JSON.stringify(['chat:join', { chatId }])}`);
  const ack = await until((m) => m.startsWith('431'), 'chat:join ack');
  assert.equal(JSON.parse(ack.slice(3))[0].ok, true, `slow polling client: chat:join: ${ack}`);
  // From here on it never GETs again (the test does, once, at the end).
  return { sid, url, req };
}

// ---------------------------------------------------------------------------------------------

test('a WebSocket client that stops reading is dropped at the queue cap; the room does not notice', async (t) => {
  const ctx = await setup(t);
  const { chat, sa, sb, sp } = ctx;
  const pid = S().child.pid;

  const baseline = await sendRound(ctx, 'base', BASELINE_MESSAGES);
  const slowBefore = await metric(S(), 'confab_slow_consumer_disconnects_total');

  const slow = await slowWebSocket(t, S(), ctx.slow.token, chat._id);
  assert.ok(serverConnection(pid, S().port, slow.clientPort).held, 'cannot find the slow WebSocket connection in the server process');
  const watch = watchRelease(t, pid, S().port, slow.clientPort);
  const rssBefore = rssBytes(pid);
  slow.stopReading();
  const receivedWhenPaused = slow.received;

  const { flood, droppedAt, droppedTime, rssMax, floodBytes, info } = await floodUntilDropped(t, ctx, pid, rssBefore, baseline);

  // Dropped as a slow consumer, not by the heartbeat, and not before its queue could be full.
  assert.notEqual(droppedAt, null, `the slow WebSocket client was never dropped; ${info}`);
  assert.equal(await metric(S(), 'confab_slow_consumer_disconnects_total'), slowBefore + 1, `slow-consumer metric; ${info}`);
  assert.ok(droppedAt * MESSAGE_BYTES >= OUTBOX_CAP, `dropped after only ${droppedAt} messages, under the cap; ${info}`);
  assert.equal(slow.received, receivedWhenPaused, 'the paused client read something');

  // Every message reached the others, in order, with no added latency.
  assertAllDelivered(sb, chat._id, 'flood', flood.sent, 'B (WebSocket)');
  assertAllDelivered(sp, chat._id, 'flood', flood.sent, 'P (polling)');
  assertAllDelivered(sa, chat._id, 'flood', flood.sent, 'A (the sender)');
  assertNoAddedLatency(baseline.latencies, flood.latencies, droppedAt);

  // Memory stays bounded: the queue cap, not the flood, sets what the slow client costs.
  assert.ok(rssMax < rssBefore + RSS_SLACK_BYTES, `server RSS grew by ${((rssMax - rssBefore) / 1048576).toFixed(1)} MiB; ${info}`);

  // The server lets go of the TCP connection, while the client still has not read a byte: at
  // the latest once its blocked write times out (WRITE_TIMEOUT).
  await waitUntil(() => watch.releasedAt !== null, WRITE_TIMEOUT + 10000, 'the server still holds the slow WebSocket connection');
  const lingered = watch.releasedAt - droppedTime;
  t.diagnostic(`the server closed the slow client's TCP connection ${lingered} ms after the room saw it go`);
  assert.ok(lingered <= WRITE_TIMEOUT + 5000, `the slow client's TCP connection lingered ${lingered} ms`);
  assert.equal(slow.closed, false, 'the paused client saw its connection end without reading');
  await t.test(
    'its TCP connection is closed when it is dropped, not when the blocked write times out',
    () => {
      assert.ok(lingered < 2000, `closed ${lingered} ms after the drop (write timeout ${WRITE_TIMEOUT} ms)`);
    },
  );

  // Reading again, the client finds the end of the connection, not the rest of the flood.
  slow.resumeReading();
  await waitUntil(() => slow.closed, 10000, 'the slow client saw no end of the connection after reading again');
  assert.ok(
    slow.receivedBytes < floodBytes,
    `the slow client got ${slow.receivedBytes} bytes, as much as the whole flood (${floodBytes})`,
  );

  // The room still works for everyone else.
  const after = await sendRound(ctx, 'after', 5);
  assert.equal(after.sent, 5);
});

test('a polling client that stops sending GETs is dropped at the queue cap; the room does not notice', async (t) => {
  const ctx = await setup(t);
  const { chat, sa, sb, sp } = ctx;
  const pid = S().child.pid;

  const baseline = await sendRound(ctx, 'base', BASELINE_MESSAGES);
  const slowBefore = await metric(S(), 'confab_slow_consumer_disconnects_total');

  const slow = await slowPolling(S(), ctx.slow.token, chat._id);
  const rssBefore = rssBytes(pid);

  const { flood, droppedAt, rssMax, info } = await floodUntilDropped(t, ctx, pid, rssBefore, baseline);

  assert.notEqual(droppedAt, null, `the slow polling client was never dropped; ${info}`);
  assert.equal(await metric(S(), 'confab_slow_consumer_disconnects_total'), slowBefore + 1, `slow-consumer metric; ${info}`);
  // Nothing but the queue holds its messages: it is dropped right at the cap.
  // (Each message is MESSAGE_BYTES plus its JSON, under 1 KB.)
  const [fewest, most] = [Math.floor(OUTBOX_CAP / (MESSAGE_BYTES + 1000)), Math.ceil(OUTBOX_CAP / MESSAGE_BYTES) + 2];
  assert.ok(droppedAt >= fewest && droppedAt <= most, `dropped by message ${droppedAt}, expected ${fewest} to ${most}; ${info}`);

  assertAllDelivered(sb, chat._id, 'flood', flood.sent, 'B (WebSocket)');
  assertAllDelivered(sp, chat._id, 'flood', flood.sent, 'P (polling)');
  assertAllDelivered(sa, chat._id, 'flood', flood.sent, 'A (the sender)');
  assertNoAddedLatency(baseline.latencies, flood.latencies, droppedAt);
  assert.ok(rssMax < rssBefore + RSS_SLACK_BYTES, `server RSS grew by ${((rssMax - rssBefore) / 1048576).toFixed(1)} MiB; ${info}`);

  // The session is gone: a GET with its sid is refused like any unknown sid.
  const res = await slow.req('GET', slow.url);
  assert.equal(res.status, 400, `GET after the drop: ${res.status} ${res.text.slice(0, 200)}`);
  assert.deepEqual(JSON.parse(res.text), { code: 1, message: 'Session ID unknown' });

  const after = await sendRound(ctx, 'after', 5);
  assert.equal(after.sent, 5);
});
