'use strict';
// The raw Engine.IO echo at /engine.io/, spoken by hand: WebSocket with the `ws` package and
// long-polling with fetch(), the upgrade from one to the other, and the request errors.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { startFixture } = require('./lib/fixture');
const { RawSocket, openWebSocket, openPolling } = require('./lib/raw');
const { sleep, within } = require('./lib/util');

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

const PATH = '/engine.io/';

// Sends `request` on a fresh TCP connection and resolves with everything read until the
// server closes it (or 2 s pass).
function rawHttp(request) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(fixture.port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => sock.destroy(), 2000);
    sock.on('data', (d) => (data += d));
    sock.on('error', reject);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    sock.write(request);
  });
}
const SEP = '\x1e'; // the polling payload separator

function assertHandshake(h, upgrades) {
  assert.deepEqual(Object.keys(h).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
  assert.equal(typeof h.sid, 'string');
  assert.ok(h.sid.length >= 8, `sid ${h.sid}`);
  assert.deepEqual(h.upgrades, upgrades);
  assert.equal(h.pingInterval, 300);
  assert.equal(h.pingTimeout, 200);
  assert.equal(h.maxPayload, 1000000);
}

describe('WebSocket', () => {
  test('a message sent in the same write as the upgrade request is not lost', async () => {
    const payload = Buffer.from('4same write');
    const mask = Buffer.from([1, 2, 3, 4]);
    const frame = Buffer.concat([
      Buffer.from([0x81, 0x80 | payload.length]),
      mask,
      Buffer.from(payload.map((b, i) => b ^ mask[i % 4])),
    ]);
    const request =
      `GET ${PATH}?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
      'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
    const received = await new Promise((resolve, reject) => {
      const sock = net.connect(fixture.port, '127.0.0.1');
      let data = Buffer.alloc(0);
      const timer = setTimeout(() => {
        sock.destroy();
        resolve(data);
      }, 1500);
      sock.on('data', (d) => {
        data = Buffer.concat([data, d]);
        if (data.includes('4same write')) {
          clearTimeout(timer);
          sock.destroy();
          resolve(data);
        }
      });
      sock.on('error', reject);
      sock.write(Buffer.concat([Buffer.from(request), frame]));
    });
    assert.match(received.toString('latin1'), /^HTTP\/1\.1 101 /);
    assert.ok(received.includes('4same write'), `no echo in ${JSON.stringify(received.toString('latin1'))}`);
  });

  test('open packet', async (t) => {
    const a = await openWebSocket(t, fixture.wsUrl, PATH);
    const b = await openWebSocket(t, fixture.wsUrl, PATH);
    assertHandshake(a.handshake, []);
    assert.notEqual(a.handshake.sid, b.handshake.sid, 'each session has its own sid');
  });

  test('text messages are echoed, including empty and unicode ones', async (t) => {
    const s = await openWebSocket(t, fixture.wsUrl, PATH);
    for (const m of ['4hello', '4', '4héllo wörld 😀 中文', '4{"json":"not parsed"}', `4with${SEP}separator`]) {
      s.send(m);
      assert.equal(await s.next(), m);
    }
  });

  test('binary messages are echoed as binary', async (t) => {
    const s = await openWebSocket(t, fixture.wsUrl, PATH);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    s.send(bytes);
    const back = await s.next();
    assert.ok(Buffer.isBuffer(back), 'binary comes back as a binary frame');
    assert.ok(back.equals(bytes));
    s.send(Buffer.alloc(0));
    const empty = await s.next();
    assert.ok(Buffer.isBuffer(empty));
    assert.equal(empty.length, 0);
  });

  test('a 500 KB message is echoed whole', async (t) => {
    const s = await openWebSocket(t, fixture.wsUrl, PATH);
    const big = `4${'x'.repeat(500 * 1024)}`;
    s.send(big);
    assert.equal(await s.next(3000), big);
  });

  test('300 messages come back in order', async (t) => {
    const s = await openWebSocket(t, fixture.wsUrl, PATH);
    for (let i = 0; i < 300; ++i) s.send(`4m${i}`);
    for (let i = 0; i < 300; ++i) assert.equal(await s.next(), `4m${i}`);
  });

  // A ping ends it too: in Engine.IO v4 only the server pings.
  for (const [what, packet] of [['a close packet', '1'], ['a ping from the client', '2']]) {
    test(`${what} ends the session`, async (t) => {
      const s = await openWebSocket(t, fixture.wsUrl, PATH);
      s.send(packet);
      await s.waitClosed(1000);
      // The sid is gone.
      const res = await fetch(`${fixture.url}${PATH}?EIO=4&transport=polling&sid=${s.handshake.sid}`);
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { code: 1, message: 'Session ID unknown' });
    });
  }

  test('a message over maxPayload closes the connection', async (t) => {
    const s = await openWebSocket(t, fixture.wsUrl, PATH);
    s.send(`4${'y'.repeat(1_000_001)}`);
    const { code } = await s.waitClosed(2000);
    assert.ok(code === 1009 || code === 1006, `close code ${code}`);
  });

  test('bytes that are not an Engine.IO packet close the connection', async (t) => {
    const s = await openWebSocket(t, fixture.wsUrl, PATH);
    s.send('x-not-a-packet');
    await s.waitClosed(1000);
  });

  test('a WebSocket request with a bad EIO version is refused', async () => {
    const s = new RawSocket(`${fixture.wsUrl}${PATH}?EIO=3&transport=websocket`);
    await assert.rejects(s.opened, { status: 400 });
  });

  test('a WebSocket upgrade with an unknown sid is refused', async () => {
    const s = new RawSocket(`${fixture.wsUrl}${PATH}?EIO=4&transport=websocket&sid=nope`);
    await assert.rejects(s.opened, { status: 400 });
  });

  test('an empty sid on a WebSocket asks for a new session, as the reference server reads it', async (t) => {
    const s = new RawSocket(`${fixture.wsUrl}${PATH}?EIO=4&transport=websocket&sid=`);
    t.after(() => s.terminate());
    await within(s.opened, 2000, 'WebSocket did not open');
    const open = await s.next();
    assert.equal(open[0], '0');
    assertHandshake(JSON.parse(open.slice(1)), []);
    s.send('4still here');
    assert.equal(await s.next(), '4still here');
  });
});

describe('polling', () => {
  test('handshake', async () => {
    const res = await fetch(`${fixture.url}${PATH}?EIO=4&transport=polling`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/plain/);
    const body = await res.text();
    assert.equal(body[0], '0');
    assertHandshake(JSON.parse(body.slice(1)), ['websocket']);
  });

  test('base64 binary is read with its padding or without, as Node reads it', async () => {
    const p = await openPolling(fixture.url, PATH);
    const post = await p.post(`bAQIDBA${SEP}bAQIDBA==${SEP}b/w`);
    assert.equal(await post.text(), 'ok');
    assert.equal(await (await p.get()).text(), `bAQIDBA==${SEP}bAQIDBA==${SEP}b/w==`);
  });

  test('HEAD is refused and leaves the session alone: its packets wait for the next GET', async () => {
    const handshake = await fetch(`${fixture.url}${PATH}?EIO=4&transport=polling`, { method: 'HEAD' });
    assert.equal(handshake.status, 400);
    const p = await openPolling(fixture.url, PATH);
    assert.equal(await (await p.post('4queued')).text(), 'ok');
    const head = await fetch(`${fixture.url}${PATH}?EIO=4&transport=polling&sid=${p.sid}`, { method: 'HEAD' });
    assert.equal(head.status, 400);
    assert.equal(await (await p.get()).text(), '4queued');
  });

  test('an empty sid asks for a handshake, as the reference server reads it', async () => {
    const res = await fetch(`${fixture.url}${PATH}?EIO=4&transport=polling&sid=`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.equal(body[0], '0');
    assertHandshake(JSON.parse(body.slice(1)), ['websocket']);
    const post = await fetch(`${fixture.url}${PATH}?EIO=4&transport=polling&sid=`, { method: 'POST', body: '4x' });
    assert.equal(post.status, 400);
    assert.deepEqual(await post.json(), { code: 2, message: 'Bad handshake method' });
    await sleep(1000); // the server once crashed a moment after such a request
    const again = await fetch(`${fixture.url}${PATH}?EIO=4&transport=polling`);
    assert.equal(again.status, 200);
    await again.text();
  });

  test('POSTed messages come back on the next GET, batched', async () => {
    const p = await openPolling(fixture.url, PATH);
    const post = await p.post(`4hello${SEP}4wörld 😀${SEP}4`);
    assert.equal(post.status, 200);
    assert.equal(await post.text(), 'ok');
    const get = await p.get();
    assert.equal(get.status, 200);
    assert.equal(await get.text(), `4hello${SEP}4wörld 😀${SEP}4`);
  });

  test('ill-formed UTF-8 in a POST becomes U+FFFD, as Node decodes it', async () => {
      const p = await openPolling(fixture.url, PATH);
      const body =
          Buffer.concat([Buffer.from('4a'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('b')]);
      assert.equal((await p.post(body)).status, 200);
      const echoed = Buffer.from(await (await p.get()).arrayBuffer());
      assert.ok(echoed.equals(Buffer.from('4a\ufffd\ufffdb')), echoed.toString('hex'));
  });

  test('binary goes both ways base64-encoded ("b" packets)', async () => {
    const p = await openPolling(fixture.url, PATH);
    const bytes = Buffer.from([0, 1, 2, 127, 128, 254, 255]);
    await p.post(`b${bytes.toString('base64')}${SEP}4text`);
    const body = await (await p.get()).text();
    const [bin, text] = body.split(SEP);
    assert.equal(bin[0], 'b');
    assert.ok(Buffer.from(bin.slice(1), 'base64').equals(bytes));
    assert.equal(text, '4text');
  });

  test('a GET waits until there is something to send', async () => {
    const p = await openPolling(fixture.url, PATH);
    let answeredAt = 0;
    const pending = p.get().then(async (r) => {
      answeredAt = Date.now();
      return r.text();
    });
    await sleep(100);
    assert.equal(answeredAt, 0, 'the GET must still be waiting');
    const postedAt = Date.now();
    await p.post('4wake up');
    assert.equal(await within(pending, 1000, 'GET'), '4wake up');
    assert.ok(answeredAt >= postedAt);
  });

  test('a large POST (~900 KB) is accepted and echoed', async () => {
    const p = await openPolling(fixture.url, PATH);
    const big = `4${'z'.repeat(900 * 1024)}`;
    assert.equal((await p.post(big)).status, 200);
    assert.equal(await (await p.get()).text(), big);
  });

  test('a POST body over maxPayload is refused with 413', async () => {
    const p = await openPolling(fixture.url, PATH);
    // Announce the body but do not send it: the server must answer from the headers alone
    // (a client still writing the body when the server closes may get a reset instead).
    const path = new URL(p.url).pathname + new URL(p.url).search;
    const reply = await rawHttp(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n` +
        `Content-Length: 1000001\r\n\r\n4`,
    );
    assert.match(reply, /^HTTP\/1\.1 413 /);
    // Only that request failed: the session goes on.
    assert.equal((await p.post('4after')).status, 200);
    assert.equal(await (await p.get()).text(), '4after');
  });

  test('a request that is not HTTP/1.x gets 400 and a close, as from Node', async () => {
    for (const bad of [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ]) {
      assert.match(await rawHttp(bad), /^HTTP\/1\.1 400 Bad Request\r\nConnection: close\r\n\r\n$/, JSON.stringify(bad));
    }
  });

  test('a client that never reads is dropped once 4 MB are queued for it', async () => {
    // engine::config::max_outbox_bytes: the echoes pile up because nobody GETs them.
    const p = await openPolling(fixture.url, PATH);
    const chunk = `4${'q'.repeat(900 * 1024)}`;
    for (let i = 0; i < 4; ++i) assert.equal((await p.post(chunk)).status, 200, `POST ${i}`);
    // 4 x 900 KB queued: still under the cap, the session is alive.
    assert.equal((await p.post('4small')).status, 200);
    const last = await p.post(chunk); // 4.5 MB: over the cap
    await last.text();
    const res = await p.get();
    assert.equal(res.status, 400, 'the session was closed');
    assert.deepEqual(await res.json(), { code: 1, message: 'Session ID unknown' });
  });

  test('a close packet by POST ends the session; a waiting GET gets a noop', async () => {
    const p = await openPolling(fixture.url, PATH);
    const pending = p.get().then((r) => r.text());
    await sleep(50);
    assert.equal(await (await p.post('1')).text(), 'ok');
    assert.equal(await within(pending, 1000, 'GET'), '6');
    const after = await p.get();
    assert.equal(after.status, 400);
    assert.deepEqual(await after.json(), { code: 1, message: 'Session ID unknown' });
  });

  test('a ping by POST ends the session; a waiting GET gets a close packet', async () => {
    const p = await openPolling(fixture.url, PATH);
    const pending = p.get().then((r) => r.text());
    await sleep(50);
    assert.equal(await (await p.post('2')).text(), 'ok');
    assert.equal(await within(pending, 1000, 'GET'), '1');
    assert.equal((await p.get()).status, 400);
  });

  test('a binary (application/octet-stream) POST is refused and closes the session, as v4 sends base64', async () => {
    const p = await openPolling(fixture.url, PATH);
    const res = await p.post('4hello', { headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(res.status, 400);
    assert.equal((await p.get()).status, 400);
  });

  test('two GETs at once: the second is refused and the session closed', async () => {
    const p = await openPolling(fixture.url, PATH);
    const first = p.get().then(async (r) => [r.status, await r.text()]);
    await sleep(50);
    const second = await p.get();
    assert.equal(second.status, 400);
    assert.deepEqual(await second.json(), { code: 3, message: 'Bad request' });
    assert.deepEqual(await within(first, 1000, 'first GET'), [200, '1']);
    assert.equal((await p.get()).status, 400);
  });

  test('a malformed payload is refused and closes the session', async () => {
    const p = await openPolling(fixture.url, PATH);
    const res = await p.post('x-not-a-packet');
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: 3, message: 'Bad request' });
    const after = await p.get();
    assert.equal(after.status, 400);
    assert.deepEqual(await after.json(), { code: 1, message: 'Session ID unknown' });
  });

  const errors = [
    ['an unknown transport', 'GET', '?EIO=4&transport=carrier-pigeon', 0, 'Transport unknown'],
    ['no transport', 'GET', '?EIO=4', 0, 'Transport unknown'],
    ['EIO=3', 'GET', '?EIO=3&transport=polling', 5, 'Unsupported protocol version'],
    ['no EIO', 'GET', '?transport=polling', 5, 'Unsupported protocol version'],
    ['an unknown sid', 'GET', '?EIO=4&transport=polling&sid=does-not-exist', 1, 'Session ID unknown'],
    ['a POST handshake', 'POST', '?EIO=4&transport=polling', 2, 'Bad handshake method'],
    ['transport=websocket without an upgrade', 'GET', '?EIO=4&transport=websocket', 3, 'Bad request'],
  ];
  for (const [what, method, query, code, message] of errors) {
    test(`${what} is refused: 400 {"code":${code}}`, async () => {
      const res = await fetch(`${fixture.url}${PATH}${query}`, { method, body: method === 'POST' ? '4x' : undefined });
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type'), /application\/json/);
      assert.deepEqual(await res.json(), { code, message });
    });
  }

  test('other paths are 404', async () => {
    for (const path of ['/', '/engine.i/', '/nope?EIO=4&transport=polling']) {
      const res = await fetch(`${fixture.url}${path}`);
      assert.equal(res.status, 404, path);
      await res.arrayBuffer();
    }
  });

  test('/engine.io without the trailing slash reaches the same server', async () => {
    const res = await fetch(`${fixture.url}/engine.io?EIO=4&transport=polling`);
    assert.equal(res.status, 200);
    assert.equal((await res.text())[0], '0');
  });
});

describe('upgrade from polling to WebSocket', () => {
  async function upgrade(t, p) {
    const ws = new RawSocket(`${fixture.wsUrl}${PATH}?EIO=4&transport=websocket&sid=${p.sid}`);
    t.after(() => ws.terminate());
    await within(ws.opened, 2000, 'WebSocket did not open');
    return ws;
  }

  test('2probe / 3probe, a noop for the waiting GET, then 5 switches transports', async (t) => {
    const p = await openPolling(fixture.url, PATH);
    const pending = p.get().then((r) => r.text());
    await sleep(30);
    const ws = await upgrade(t, p);
    ws.send('2probe');
    assert.equal(await ws.next(), '3probe');
    assert.equal(await within(pending, 1000, 'waiting GET'), '6', 'the waiting GET is released with a noop');
    ws.send('5');
    ws.send('4over websocket');
    assert.equal(await ws.next(), '4over websocket');
    // Polling is over for this session.
    const res = await p.get();
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: 3, message: 'Bad request' });
    // The session is the same one: still pinged, still echoing.
    await sleep(400);
    assert.ok(ws.pings >= 1, 'the upgraded session is pinged over the WebSocket');
    ws.send(Buffer.from([1, 2, 3]));
    assert.ok((await ws.next()).equals(Buffer.from([1, 2, 3])));
  });

  test('output queued on polling before the upgrade is delivered over the WebSocket', async (t) => {
    const p = await openPolling(fixture.url, PATH);
    await p.post(`4queued 1${SEP}4queued 2`); // echoes wait for a GET that never comes
    const ws = await upgrade(t, p);
    ws.send('2probe');
    assert.equal(await ws.next(), '3probe');
    ws.send('5');
    assert.equal(await ws.next(), '4queued 1');
    assert.equal(await ws.next(), '4queued 2');
  });

  test('messages POSTed during the probe are echoed', async (t) => {
    const p = await openPolling(fixture.url, PATH);
    const ws = await upgrade(t, p);
    ws.send('2probe');
    assert.equal(await ws.next(), '3probe');
    await p.post('4during probe');
    ws.send('5');
    assert.equal(await ws.next(), '4during probe');
  });

  test('a second WebSocket for the same session is refused', async (t) => {
    const p = await openPolling(fixture.url, PATH);
    const first = await upgrade(t, p);
    first.send('2probe');
    assert.equal(await first.next(), '3probe');
    const second = new RawSocket(`${fixture.wsUrl}${PATH}?EIO=4&transport=websocket&sid=${p.sid}`);
    t.after(() => second.terminate());
    await within(second.closed, 2000, 'the second WebSocket was not closed');
    // The first goes on.
    first.send('5');
    first.send('4first');
    assert.equal(await first.next(), '4first');
  });

  test('a second 2probe is answered again, then 5 upgrades', async (t) => {
    const p = await openPolling(fixture.url, PATH);
    const ws = await upgrade(t, p);
    ws.send('2probe');
    assert.equal(await ws.next(), '3probe');
    ws.send('2probe');
    assert.equal(await ws.next(), '3probe');
    ws.send('5');
    ws.send('4upgraded');
    assert.equal(await ws.next(), '4upgraded');
  });

  test('2probe and 5 in one TCP write: the probe is still answered, and the upgrade done', async (t) => {
    const p = await openPolling(fixture.url, PATH);
    const ws = await upgrade(t, p);
    const tcp = ws.ws._socket; // corked, the two frames leave in one write
    tcp.cork();
    ws.send('2probe');
    ws.send('5');
    tcp.uncork();
    assert.equal(await ws.next(), '3probe');
    ws.send('4upgraded');
    assert.equal(await ws.next(), '4upgraded');
  });

  test('5 without a probe upgrades too, releasing the waiting GET with a noop', async (t) => {
    const p = await openPolling(fixture.url, PATH);
    const pending = p.get().then((r) => r.text());
    await sleep(30);
    const ws = await upgrade(t, p);
    ws.send('5');
    ws.send('4no probe');
    assert.equal(await ws.next(), '4no probe');
    assert.equal(await within(pending, 1000, 'waiting GET'), '6');
    const res = await p.get();
    assert.equal(res.status, 400);
    await res.arrayBuffer();
  });

  test('a packet out of turn in the upgrade gets a close frame; the session stays on polling', async (t) => {
    const p = await openPolling(fixture.url, PATH);
    const ws = await upgrade(t, p);
    ws.send('4too early');
    const { code } = await within(ws.closed, 3000, 'the probing WebSocket was not closed');
    assert.equal(code, 1000, 'closed without a close frame');
    await p.post('4still polling');
    const body = await (await p.get()).text();
    assert.ok(body.split(SEP).includes('4still polling'), body);
  });

  test('a probe abandoned before "5" leaves the session on polling', async (t) => {
    const p = await openPolling(fixture.url, PATH);
    const ws = await upgrade(t, p);
    ws.send('2probe');
    assert.equal(await ws.next(), '3probe');
    ws.terminate();
    await ws.closed;
    await sleep(50);
    await p.post('4still polling');
    const body = await (await p.get()).text();
    // A ping may have been queued meanwhile; the echo must be there.
    assert.ok(body.split(SEP).includes('4still polling'), body);
  });
});
