'use strict';
// The Socket.IO v5 protocol at /socket.io/ spoken by hand over a raw WebSocket: exact packet
// encodings, ack ids, attachment limits, the connect timeout, and protocol violations (which
// close the connection).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startFixture } = require('./lib/fixture');
const { openWebSocket } = require('./lib/raw');
const { sleep, within } = require('./lib/util');

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

const open = (t) => openWebSocket(t, fixture.wsUrl, '/socket.io/');

// Joins `nsp` ("" for "/") and checks the CONNECT reply and the fixture's `auth` event.
async function join(s, nsp = '', auth) {
  const prefix = nsp ? `${nsp},` : '';
  s.send(`40${prefix}${auth === undefined ? '' : JSON.stringify(auth)}`);
  const reply = await s.next();
  assert.match(reply, new RegExp(`^40${prefix.replace('/', '\\/')}\\{"sid":"[^"]+"\\}$`));
  const sid = JSON.parse(reply.slice(2 + prefix.length)).sid;
  assert.equal(await s.next(), `42${prefix}["auth",${JSON.stringify(auth ?? {})}]`);
  return sid;
}

describe('connecting', () => {
  test('CONNECT to "/" and "/custom" on one session, each with its own auth and sid', async (t) => {
    const s = await open(t);
    const a = await join(s, '', { token: 'x' });
    const b = await join(s, '/custom', { other: [1, 2] });
    assert.notEqual(a, b);
    assert.notEqual(a, s.handshake.sid, 'the socket id is not the engine sid');
  });

  test('a CONNECT whose auth payload is not an object closes the connection', async (t) => {
    // Only an object is valid there (the reference parser refuses anything else too).
    const s = await open(t);
    s.send('40"a string"');
    await s.waitClosed(1000);
    assert.ok(!s.queue.some((m) => typeof m === 'string' && m.startsWith('40')), s.queue.join(' '));
  });

  test('an unknown namespace gets CONNECT_ERROR {"message":"Invalid namespace"}', async (t) => {
    const s = await open(t);
    s.send('40/nope,');
    assert.equal(await s.next(), '44/nope,{"message":"Invalid namespace"}');
    // The session survives and can still join a real namespace.
    await join(s, '/custom');
  });

  test('DISCONNECT then CONNECT again gives a new socket', async (t) => {
    const s = await open(t);
    const first = await join(s);
    s.send('41');
    await sleep(50);
    const second = await join(s);
    assert.notEqual(first, second);
  });

  test('a session that joins no namespace is closed after the connect timeout (1000 ms)', async (t) => {
    const s = await open(t);
    const started = Date.now();
    await s.waitClosed(2500);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 850 && elapsed <= 1700, `closed after ${elapsed} ms`);
    assert.ok(s.pings >= 2, 'it was kept alive by the heartbeat until then');
  });

  test('a session that joined is not closed by the connect timeout', async (t) => {
    const s = await open(t);
    await join(s, '/custom');
    assert.equal(await s.quiet(1400), true);
    assert.equal(s.isClosed, false);
  });
});

describe('events and acks', () => {
  test('the echo keeps the exact encoding', async (t) => {
    const s = await open(t);
    await join(s);
    s.send('42["message",{"a":[1,"2",null,true]},"ü"]');
    assert.equal(await s.next(), '42["message-back",{"a":[1,"2",null,true]},"ü"]');
  });

  test('a number beyond double range comes back as null, as from Node', async (t) => {
      const s = await open(t);
      await join(s);
      s.send('42["message",1e999,[-1e400]]');
      assert.equal(await s.next(), '42["message-back",null,[null]]');
  });

  test('an ack answers with the same id, small and beyond 32 bits', async (t) => {
    const s = await open(t);
    await join(s);
    for (const id of [0, 1, 123, 4294967296, 9007199254740991]) {
      s.send(`42${id}["message-with-ack","x",${id}]`);
      assert.equal(await s.next(), `43${id}["x",${id}]`);
    }
  });

  test('acks on /custom carry the namespace', async (t) => {
    const s = await open(t);
    await join(s, '/custom');
    // "/custom" has no message-with-ack handler: no ack.
    s.send('42/custom,7["message-with-ack","x"]');
    assert.equal(await s.quiet(300), true);
  });

  test('a binary event is echoed with placeholders and attachments', async (t) => {
    const s = await open(t);
    await join(s);
    s.send('451-["message",{"_placeholder":true,"num":0},"text"]');
    s.send(Buffer.from([9, 8, 7]));
    assert.equal(await s.next(), '451-["message-back",{"_placeholder":true,"num":0},"text"]');
    const bin = await s.next();
    assert.ok(Buffer.isBuffer(bin) && bin.equals(Buffer.from([9, 8, 7])));
  });

  test('a binary ack', async (t) => {
    const s = await open(t);
    await join(s);
    s.send('451-15["message-with-ack",{"_placeholder":true,"num":0},"t"]');
    s.send(Buffer.from([1]));
    assert.equal(await s.next(), '461-15[{"_placeholder":true,"num":0},"t"]');
    const bin = await s.next();
    assert.ok(Buffer.isBuffer(bin) && bin.equals(Buffer.from([1])));
  });

  test('10 attachments (the server limit, socket.io-parser\'s) are accepted', async (t) => {
    const s = await open(t);
    await join(s);
    const n = 10;
    const placeholders = Array.from({ length: n }, (_, i) => `{"_placeholder":true,"num":${i}}`).join(',');
    s.send(`45${n}-["message",${placeholders}]`);
    for (let i = 0; i < n; ++i) s.send(Buffer.from([i]));
    assert.equal(await s.next(), `45${n}-["message-back",${placeholders}]`);
    for (let i = 0; i < n; ++i) assert.ok((await s.next()).equals(Buffer.from([i])), `attachment ${i}`);
  });
});

describe('protocol violations close the connection', () => {
    const cases = [
        ['an event before CONNECT', [], '42["message","x"]'],
        ['a second CONNECT to the same namespace', ['40'], '40'],
        ['an event on a namespace not joined', ['40'], '42/custom,["message","x"]'],
        ['an unknown packet type', ['40'], '49'],
        ['malformed JSON', ['40'], '42["message",'],
        ['an event that is not an array', ['40'], '42{"message":1}'],
        ['an event whose name is neither a string nor a number', ['40'], '42[true,2]'],
        [
            '11 attachments (over the server limit)', ['40'],
            `4511-["message",${
                Array.from({length: 11}, (_, i) => `{"_placeholder":true,"num":${i}}`).join(',')}]`
        ],
        [
            'a placeholder index out of range', ['40'],
            '451-["message",{"_placeholder":true,"num":1}]'
        ],
        ['a CONNECT_ERROR from the client', ['40'], '44{"message":"x"}'],
    ];
    for (const [what, setup, bad] of cases) {
        test(what, async (t) => {
            const s = await open(t);
            for (const p of setup) {
                s.send(p);
                if (p === '40') {
                    assert.match(await s.next(), /^40\{/);
                    assert.equal(await s.next(), '42["auth",{}]');
                }
            }
            s.send(bad);
            if (bad.startsWith('451-')) s.send(Buffer.from([0]));
            await within(s.closed, 1000, 'the server did not close the connection');
            // No echo went out for the bad packet.
            assert.ok(
                !s.queue.some((m) => typeof m === 'string' && m.includes('message-back')),
                s.queue.join(' '));
        });
    }

    test('a binary event for a namespace not joined closes at its header, before any attachment', async (t) => {
        const before = await open(t);
        before.send('451-["message",{"_placeholder":true,"num":0}]');
        await within(before.closed, 1000, 'no CONNECT yet: the server did not close the connection');
        const other = await open(t);
        await join(other);
        other.send('451-/custom,["message",{"_placeholder":true,"num":0}]');
        await within(other.closed, 1000, '/custom not joined: the server did not close the connection');
    });

    test('an unexpected binary message closes the connection', async (t) => {
        const s = await open(t);
        s.send('40');
        await s.next();
        await s.next();
        s.send(Buffer.from([1, 2, 3]));  // no binary packet is waiting for attachments
        await within(s.closed, 1000, 'the server did not close the connection');
    });
});
