'use strict';
// Binary arguments (attachments) both ways: echoed by `message` -> `message-back` and acked
// by `message-with-ack`, over each transport (WebSocket binary frames; base64 over polling).

const { describe, test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { startFixture } = require('./lib/fixture');
const { connect, echo, within } = require('./lib/util');

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

const allBytes = () => Buffer.from(Array.from({ length: 256 }, (_, i) => i));
function pattern(n, seed) {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; ++i) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16;
  }
  return b;
}

// socket.io-client hands binary to Node code as Buffer whatever was sent (Buffer, Uint8Array,
// ArrayBuffer); compare bytes.
function assertBytes(actual, expected, what = 'binary') {
  assert.ok(Buffer.isBuffer(actual) || actual instanceof ArrayBuffer || ArrayBuffer.isView(actual),
    `${what} is not binary: ${typeof actual} ${JSON.stringify(actual)?.slice(0, 80)}`);
  const a = Buffer.from(actual instanceof ArrayBuffer ? new Uint8Array(actual) : actual);
  const e = Buffer.from(expected instanceof ArrayBuffer ? new Uint8Array(expected) : expected);
  assert.equal(a.length, e.length, `${what} length`);
  assert.ok(a.equals(e), `${what} bytes differ`);
}

// Converts every binary value in a structure to a Buffer, for deepEqual of whole structures.
function normalize(v) {
  if (v instanceof ArrayBuffer) return Buffer.from(new Uint8Array(v));
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

for (const transport of ['polling', 'websocket']) {
  describe(`over ${transport}`, () => {
    let socket;
    beforeEach(async () => {
      ({ socket } = await connect(null, fixture.url, { transports: [transport] }));
    });
    afterEach(() => socket?.disconnect());

    test('a Buffer with every byte value', async () => {
      const [back] = await echo(socket, allBytes());
      assertBytes(back, allBytes());
    });

    test('a Uint8Array and an ArrayBuffer', async () => {
      const u8 = new Uint8Array([1, 2, 3, 250, 0, 255]);
      const ab = new Uint8Array([9, 8, 7]).buffer;
      const back = await echo(socket, u8, ab);
      assert.equal(back.length, 2);
      assertBytes(back[0], u8, 'Uint8Array');
      assertBytes(back[1], ab, 'ArrayBuffer');
    });

    test('an empty buffer', async () => {
      const [back] = await echo(socket, Buffer.alloc(0));
      assertBytes(back, Buffer.alloc(0));
    });

    test('binary mixed with JSON arguments', async () => {
      const args = ['before', pattern(100, 1), 42, { k: 'v' }, pattern(3, 2), null];
      const back = await echo(socket, ...args);
      assert.deepEqual(normalize(back), normalize(args));
    });

    test('binary nested in objects and arrays', async () => {
      const payload = {
        file: { name: 'a.bin', data: pattern(1000, 3), meta: { chunks: [pattern(10, 4), 'x'] } },
        parts: [pattern(1, 5), { inner: { deeper: [pattern(64, 6)] } }],
        text: 'not binary',
      };
      const back = await echo(socket, payload);
      assert.equal(back.length, 1);
      assert.deepEqual(normalize(back[0]), normalize(payload));
      assert.ok(Buffer.isBuffer(back[0].file.data), 'nested binary comes back as binary');
    });

    test('ten attachments in one event (the client parser maximum)', async () => {
      const bufs = Array.from({ length: 10 }, (_, i) => pattern(i * 7 + 1, i));
      const back = await echo(socket, ...bufs);
      assert.equal(back.length, 10);
      back.forEach((b, i) => assertBytes(b, bufs[i], `attachment ${i}`));
    });

    test('a 200 KB buffer', async () => {
      const big = pattern(200 * 1024, 11);
      const [back] = await echo(socket, big);
      assertBytes(back, big);
    });

    test('binary via ack', async () => {
      const blob = pattern(4096, 12);
      const back = await within(socket.emitWithAck('message-with-ack', blob), 2000, 'ack');
      assertBytes(back, blob);
    });

    test('binary nested in an ack with several arguments', async () => {
      const args = [{ img: pattern(50, 13), name: 'n' }, 'text', [pattern(5, 14), pattern(6, 15)]];
      const back = await within(
        new Promise((resolve) =>
          socket.emit('message-with-ack', ...args, (...res) => resolve(res)),
        ),
        2000,
        'ack',
      );
      assert.deepEqual(normalize(back), normalize(args));
    });

    test('50 binary and text events interleaved stay in order and intact', async () => {
      const N = 50;
      const got = [];
      const done = new Promise((resolve) => {
        socket.on('message-back', (...args) => {
          got.push(args);
          if (got.length === N) resolve();
        });
      });
      const sent = [];
      for (let i = 0; i < N; ++i) {
        const args = i % 3 === 0 ? [i, 'text only'] : [i, pattern(i + 1, i), { b: pattern(2, i) }];
        sent.push(args);
        socket.emit('message', ...args);
      }
      await within(done, 5000, () => `${got.length}/${N} echoes`);
      assert.deepEqual(normalize(got), normalize(sent));
    });

    test('binary acks interleaved with binary events', async () => {
      const echoes = [];
      socket.on('message-back', (i, b) => echoes.push([i, b]));
      const acks = [];
      for (let i = 0; i < 20; ++i) {
        socket.emit('message', i, pattern(8, 100 + i));
        acks.push(socket.emitWithAck('message-with-ack', pattern(9, 200 + i)));
      }
      const answers = await within(Promise.all(acks), 3000, 'acks');
      answers.forEach((b, i) => assertBytes(b, pattern(9, 200 + i), `ack ${i}`));
      assert.equal(echoes.length, 20);
      echoes.forEach(([i, b], k) => {
        assert.equal(i, k);
        assertBytes(b, pattern(8, 100 + k), `echo ${k}`);
      });
    });
  });
}
