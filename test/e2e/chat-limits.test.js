'use strict';
// Connection limits and timeouts against hostile clients (README "Connection limits"): over
// --max-connections a connection gets a raw 503, over --max-connections-per-ip a 429, a
// polling handshake over --max-polling-sessions-per-ip a 429; a client that sends nothing, or
// its headers too slowly, is closed after --header-timeout; a WebSocket message over
// --max-payload is closed with 1009. Well-behaved clients keep working throughout, and the
// counts are given back when connections close.
//
// The floods come from other loopback source addresses (127.0.0.2 and up) than the
// well-behaved clients (127.0.0.1), all to the server on 127.0.0.1.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const WebSocket = require('ws');
const C = require('./lib/confab');
const { within } = require('./lib/util');

// Per address 8: room for the well-behaved clients' own few (REST keep-alive, WebSockets).
const PER_IP = 8;
// Loopback clients are exempt from the per-IP limits by default (a local proxy): these tests,
// all on loopback, have them apply.
const LIMITS = [
  '--max-connections', String(3 * PER_IP), '--max-connections-per-ip', String(PER_IP),
  '--max-polling-sessions-per-ip', '3', '--loopback-limits', 'apply',
];

// A raw TCP connection from `localAddress`: what it received, and when it closed.
function rawConnect(server, localAddress = '127.0.0.1') {
  const socket = net.connect({ host: '127.0.0.1', port: server.port, localAddress });
  const conn = { socket, received: '', openedAt: Date.now() };
  socket.on('data', (d) => {
    conn.received += d;
  });
  socket.on('error', () => {}); // a reset shows as 'close' as well
  conn.connected = new Promise((resolve) => socket.once('connect', resolve));
  conn.closed = new Promise((resolve) => socket.once('close', () => resolve(Date.now() - conn.openedAt)));
  return conn;
}

// Opens `n` raw connections from `localAddress` and waits until they are connected. The server
// has accepted each only once it answers; a connection it holds answers nothing.
async function flood(server, n, localAddress) {
  const conns = Array.from({ length: n }, () => rawConnect(server, localAddress));
  await Promise.all(conns.map((c) => c.connected));
  return conns;
}

function closeAll(conns) {
  for (const c of conns) c.socket.destroy();
  return Promise.all(conns.map((c) => c.closed));
}

// Asserts that `conn` got the raw refusal `status` with the JSON error `code`, and was closed.
async function assertRefused(conn, status, code) {
  await within(conn.closed, 3000, 'the refused connection was not closed');
  const [head, body] = conn.received.split('\r\n\r\n');
  assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `), conn.received);
  assert.match(head, /\r\nConnection: close(\r\n|$)/i, conn.received);
  assert.match(head, /\r\nContent-Type: application\/json(\r\n|$)/i, conn.received);
  const json = JSON.parse(body);
  assert.equal(json.error.code, code);
  assert.equal(typeof json.error.message, 'string');
}

// GET `path` from `localAddress` on a connection of its own; resolves with { status, body }.
function httpGet(server, path, localAddress = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path, localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.setTimeout(3000, () => req.destroy(new Error(`GET ${path}: no answer within 3 s`)));
  });
}

// Retries `check` until it passes: the server gives a count back only once it has seen the
// close, a moment after the client's.
async function eventually(check, ms = 3000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await C.sleep(50);
    }
  }
}

// Two users in a chat, each with a socket (127.0.0.1) that joined it; a message goes both ways.
async function chatWorks(t, server, opts = {}) {
  const [a, b] = await Promise.all([C.register(server, 'la'), C.register(server, 'lb')]);
  const chat = await C.createChat(server, a, { participants: [b] });
  const sa = await C.connectSocket(t, server, a.token, { name: 'a', ...opts });
  const sb = await C.connectSocket(t, server, b.token, { name: 'b', ...opts });
  await Promise.all([C.join(sa, chat._id), C.join(sb, chat._id)]);
  const sent = await C.send(sa, chat._id, 'hello through the flood');
  await sb.rec.waitFor('message:received', (m) => m && m._id === sent._id);
  sa.disconnect();
  sb.disconnect();
}

async function startWith(args) {
  const server = await C.startServer({ extraArgs: args });
  return server;
}

// A server whose resident memory tells what it holds: ASan keeps freed memory aside (256 MB
// by default), which would hide it.
function startMeasured() {
  const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=16'].filter(Boolean).join(':');
  return C.startServer({ env: { ASAN_OPTIONS: asan } });
}

function rssOf(server) {
  const status = require('node:fs').readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
}

async function stopChecked(server) {
  const wasAlive = server.alive;
  const res = await server.stop();
  C.removeDir(server.dataDir);
  assert.ok(wasAlive, `confab died during the tests\n${server.logs()}`);
  assert.equal(res.code, 0, `confab exited with ${res.code}/${res.signal}\n${server.logs()}`);
}

describe('--max-connections', () => {
  let server;
  before(async () => {
    server = await startWith(LIMITS);
  });
  after(() => stopChecked(server));

  test('over the limit a connection gets a raw 503 SERVER_BUSY and is closed; closing frees the places', async () => {
    // 3 addresses x PER_IP held-open connections: the server is full.
    const held = [];
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) held.push(...(await flood(server, PER_IP, address)));
    await C.sleep(100);
    assert.ok(held.every((c) => c.received === ''), 'a held connection got an answer');
    await assertRefused(rawConnect(server, '127.0.0.6'), 503, 'SERVER_BUSY');
    await assertRefused(rawConnect(server, '127.0.0.1'), 503, 'SERVER_BUSY');
    // A real HTTP client sends its request first, and still reads the answer.
    const res = await httpGet(server, '/healthz');
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.body).error.code, 'SERVER_BUSY');
    assert.ok(held.every((c) => c.socket.readyState === 'open'), 'a held connection was closed');

    await closeAll(held);
    await eventually(async () => assert.equal((await httpGet(server, '/healthz')).status, 200));
  });
});

describe('--max-connections-per-ip and --max-polling-sessions-per-ip', () => {
  let server;
  before(async () => {
    server = await startWith(LIMITS);
  });
  after(() => stopChecked(server));

  test('the connection over the per-address limit gets a raw 429 TOO_MANY_CONNECTIONS and is closed', async (t) => {
    const held = await flood(server, PER_IP, '127.0.0.2');
    t.after(() => closeAll(held));
    await assertRefused(rawConnect(server, '127.0.0.2'), 429, 'TOO_MANY_CONNECTIONS');
    const res = await httpGet(server, '/healthz', '127.0.0.2');
    assert.equal(res.status, 429);
    assert.equal(JSON.parse(res.body).error.code, 'TOO_MANY_CONNECTIONS');
    // Other addresses are not affected.
    assert.equal((await httpGet(server, '/healthz', '127.0.0.3')).status, 200);
  });

  test('a socket.io client chats while another address is at its limit, and after the flood is gone', async (t) => {
    const held = await flood(server, PER_IP, '127.0.0.2');
    await assertRefused(rawConnect(server, '127.0.0.2'), 429, 'TOO_MANY_CONNECTIONS');
    // WebSocket only: polling would leave keep-alive connections of 127.0.0.1's own behind.
    await chatWorks(t, server, { transports: ['websocket'] });
    await closeAll(held);
    // The flooding address has its places back: PER_IP at once are served.
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: PER_IP }, () => httpGet(server, '/healthz', '127.0.0.2')));
      assert.deepEqual(answers.map((r) => r.status), Array(PER_IP).fill(200));
    });
    await chatWorks(t, server, { transports: ['websocket'] });
  });

  test('open WebSockets count as connections until they close', async () => {
    const sockets = Array.from({ length: PER_IP }, () =>
      new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`, { localAddress: '127.0.0.3' }),
    );
    await Promise.all(sockets.map((ws) => new Promise((resolve, reject) => {
      ws.once('message', resolve); // the open packet
      ws.once('error', reject);
    })));
    await assertRefused(rawConnect(server, '127.0.0.3'), 429, 'TOO_MANY_CONNECTIONS');
    await Promise.all(sockets.map((ws) => new Promise((resolve) => {
      ws.once('close', resolve);
      ws.close();
    })));
    await eventually(async () => assert.equal((await httpGet(server, '/healthz', '127.0.0.3')).status, 200));
  });

  test('a polling handshake over the per-address session limit is a 429; WebSockets still connect', async (t) => {
    const url = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const sids = [];
    for (let i = 0; i < 3; ++i) {
      const res = await fetch(url);
      const body = await res.text();
      assert.equal(res.status, 200, body);
      sids.push(JSON.parse(body.slice(1)).sid);
    }
    const refused = await fetch(url);
    assert.equal(refused.status, 429);
    assert.deepEqual(await refused.json(), { code: 6, message: 'Too many sessions from this address' });

    // The stock client over polling is refused too; over WebSocket it connects and chats.
    const err = await C.connectError(server, { transports: ['polling'] });
    assert.match(err.message, /xhr poll error/);
    await chatWorks(t, server, { transports: ['websocket'] });

    // Closing a session gives its place back.
    const closed = await fetch(`${url}&sid=${sids[0]}`, { method: 'POST', body: '1' });
    assert.equal(closed.status, 200);
    await eventually(async () => assert.equal((await fetch(url)).status, 200));
  });

  test('/metrics counts open connections and refusals by reason', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const sample = (labels) => {
      const m = new RegExp(`^confab_connections_refused_total\\{reason="${labels}"\\} (\\d+)$`, 'm').exec(text);
      assert.ok(m, `no ${labels} sample in\n${text}`);
      return Number(m[1]);
    };
    assert.equal(sample('max_connections'), 0);
    assert.ok(sample('per_ip') >= 4, text);
    assert.ok(sample('polling_per_ip') >= 2, text);
    assert.match(text, /^confab_tcp_connections [1-9]\d*$/m);
  });
});

describe('--loopback-limits exempt (the default)', () => {
  let server;
  before(async () => {
    server = await startWith(['--max-connections-per-ip', '2', '--max-polling-sessions-per-ip', '2']);
  });
  after(() => stopChecked(server));

  test('loopback clients, a local proxy\'s, are not limited per address', async (t) => {
    const held = await flood(server, 6, '127.0.0.2');
    t.after(() => closeAll(held));
    assert.equal((await httpGet(server, '/healthz', '127.0.0.2')).status, 200);
    const url = `${server.url}/socket.io/?EIO=4&transport=polling`;
    for (let i = 0; i < 4; ++i) assert.equal((await fetch(url)).status, 200);
    await chatWorks(t, server, { transports: ['polling'] });
  });
});

describe('--header-timeout', () => {
  let server;
  before(async () => {
    server = await startWith(['--header-timeout', '1000', '--max-payload', '2048']);
  });
  after(() => stopChecked(server));

  test('a connection that sends nothing is closed after the timeout', async () => {
    const conn = rawConnect(server);
    const ms = await within(conn.closed, 4000, 'the idle connection is still open');
    assert.ok(ms >= 900 && ms < 3000, `closed after ${ms} ms`);
    assert.equal(conn.received, '');
  });

  test('headers sent byte by byte slower than the timeout (slowloris): closed unanswered', async () => {
    const conn = rawConnect(server);
    await conn.connected;
    const request = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n\r\n';
    let open = true;
    conn.closed.then(() => {
      open = false;
    });
    for (const ch of request) {
      if (!open) break;
      conn.socket.write(ch);
      await C.sleep(100);
    }
    const ms = await within(conn.closed, 4000, 'the slow connection is still open');
    assert.ok(open === false && ms < 3000, `closed after ${ms} ms`);
    assert.equal(conn.received, '', 'the slow request was answered');
  });

  test('a request sent in time is answered, and clients keep working', async (t) => {
    const conn = rawConnect(server);
    await conn.connected;
    conn.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await within(conn.closed, 3000, 'no answer');
    assert.match(conn.received, /^HTTP\/1\.1 200 /);
    await chatWorks(t, server);
  });

  test('a WebSocket message over --max-payload is closed with 1009, whole or in fragments', async () => {
    const open = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
      const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
      ws.on('error', () => {});
      await new Promise((resolve, reject) => {
        ws.once('message', resolve); // the open packet
        ws.once('unexpected-response', () => reject(new Error('WebSocket refused')));
      });
      return { ws, closed };
    };
    const whole = await open();
    whole.ws.send(`4${'x'.repeat(3000)}`);
    assert.equal(await within(whole.closed, 3000, 'not closed'), 1009);

    const fragmented = await open();
    for (let i = 0; i < 3; ++i) fragmented.ws.send('4'.padEnd(1000, 'y'), { fin: false });
    fragmented.ws.send('z', { fin: true });
    assert.equal(await within(fragmented.closed, 3000, 'not closed'), 1009);
  });
});

describe('a WebSocket client streaming pings', () => {
  let server;
  before(async () => {
    // 256 KiB of stack: what the reader nests per read would show within megabytes.
    server = await C.startServer({ stackKiB: 256 });
  });
  after(() => stopChecked(server));

  // Each read that holds a ping owes a pong; the reads after it must not nest in the call that
  // wrote it, or a client whose pings never let the socket drain overflows the stack.
  test('64 MB of pings behind the upgrade request: the server answers and lives on', async (t) => {
    const conn = rawConnect(server);
    await conn.connected;
    const key = require('node:crypto').randomBytes(16).toString('base64');
    const upgrade = `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    // A masked ping with 125 bytes (a zero mask keeps them as they are); all in one write, so
    // the server's socket stays full from its first read on.
    const ping = Buffer.concat([Buffer.from([0x89, 0x80 | 125, 0, 0, 0, 0]), Buffer.alloc(125, 0x70)]);
    const pings = Buffer.concat(Array.from({ length: Math.ceil((64 << 20) / ping.length) }, () => ping));
    conn.socket.write(Buffer.concat([Buffer.from(upgrade), pings]));
    await within(new Promise((resolve) => conn.socket.once('drain', resolve)), 20000, 'the pings were not all read');
    assert.ok(server.alive, `confab died\n${server.logs()}`);
    assert.match(conn.received, /"sid"/);
    conn.socket.destroy();
    assert.equal((await httpGet(server, '/healthz')).status, 200);
    await chatWorks(t, server);
  });
});

describe('memory a client makes the server hold', () => {
  let server;
  before(async () => {
    server = await startMeasured();
  });
  after(() => stopChecked(server));

  // A session lives on after its handshake's connection is gone (polling), with what it kept.
  test('handshakes with thousands of query parameters: 500 polling sessions with ~12 KB queries of short keys grow the server by under 40 MB', async (t) => {
    const keys = [];
    for (let i = 0; keys.length < 3900; ++i) keys.push(i.toString(36));
    const query = keys.join('&');
    const before = rssOf(server);
    for (let i = 0; i < 500; i += 50) {
      await Promise.all(Array.from({ length: 50 }, async () => {
        const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&${query}`);
        assert.equal(res.status, 200);
        await res.text();
      }));
    }
    const grown = rssOf(server) - before;
    assert.ok(grown < 40 * 2 ** 20, `the server grew by ${(grown / 2 ** 20).toFixed(1)} MiB for ${((500 * query.length) / 2 ** 20).toFixed(1)} MiB of queries`);
    await chatWorks(t, server);
  });

  // A binary event's JSON, parsed, would take ~18 times the frame's bytes, for as long as the
  // client waits.
  test('binary events whose attachments never come are held as their text: 20 of ~1 MB grow the server by less than 5 times their size (18 when parsed)', async () => {
    const user = await C.register(server, 'pb');
    const frame = `451-["chat:typing",{"_placeholder":true,"num":0},[${Array(240000).fill('[0]').join(',')}]]`;
    const before = rssOf(server);
    const sockets = [];
    for (let i = 0; i < 20; ++i) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
      ws.on('error', () => {});
      sockets.push(ws);
      const next = () => new Promise((resolve) => ws.once('message', (d) => resolve(String(d))));
      assert.match(await next(), /^0\{/);
      ws.send(`40${JSON.stringify({ token: user.token })}`);
      assert.match(await next(), /^40\{/);
      ws.send(frame);
    }
    await eventually(() => assert.ok(sockets.every((ws) => ws.bufferedAmount === 0)));
    await C.sleep(500);
    const grown = rssOf(server) - before;
    const sent = 20 * frame.length;
    for (const ws of sockets) ws.terminate();
    assert.ok(grown < 5 * sent, `the server grew by ${(grown / 2 ** 20).toFixed(1)} MiB for ${(sent / 2 ** 20).toFixed(1)} MiB sent`);
  });
});

describe('many accounts connecting and disconnecting in a loop', () => {
  let server;
  before(async () => {
    server = await startWith([]);
  });
  after(() => stopChecked(server));

  // A raw Engine.IO WebSocket connected to "/" as `token`.
  const connectAs = async (token) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
    ws.on('error', () => {});
    const next = () => new Promise((resolve) => ws.once('message', (d) => resolve(String(d))));
    assert.match(await next(), /^0\{/);
    ws.send(`40${JSON.stringify({ token })}`);
    assert.match(await next(), /^40\{/);
    return ws;
  };

  // Every announcement goes to every socket: without a bound on all of them together, each
  // account's own budget (60, then 10 a second) lets many accounts keep the server busy.
  test('all presence announcements together send at most 200 000 frames, then 20 000 a second', async (t) => {
    const sockets = 400;
    const listener = await C.register(server, 'pl');
    const attackers = await Promise.all(Array.from({ length: 50 }, () => C.register(server, 'pa')));
    const listeners = [];
    for (let i = 0; i < sockets; i += 50) {
      listeners.push(...(await Promise.all(Array.from({ length: 50 }, () => connectAs(listener.token)))));
    }
    let heard = 0;
    listeners[0].on('message', (d) => {
      if (/^42\["user:(online|offline)"/.test(String(d))) heard += 1;
    });
    const started = Date.now();
    let cycles = 0;
    await Promise.all(attackers.map(async (a) => {
      while (Date.now() < started + 3000) {
        (await connectAs(a.token)).close();
        cycles += 1;
      }
    }));
    await C.sleep(500);
    const seconds = (Date.now() - started) / 1000;
    const bound = Math.ceil(200000 / sockets + (20000 / sockets) * seconds) + 20;
    t.diagnostic(`${cycles} connect-disconnect cycles, ${heard} announcements heard (bound ${bound})`);
    for (const ws of listeners) ws.terminate();
    assert.ok(heard <= bound, `${heard} announcements heard in ${seconds.toFixed(1)} s, over ${bound}`);
    await chatWorks(t, server);
  });
});
