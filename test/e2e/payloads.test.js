'use strict';
// JSON payloads of many shapes echoed through `message` -> `message-back`, over each
// transport.

const { describe, test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { startFixture } = require('./lib/fixture');
const { connect, echo, nextEvent, within } = require('./lib/util');

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

// Deterministic pseudo-random text, so a failure reproduces.
function text(length, seed = 1) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "\\/{}[]:,';
  let x = seed;
  let s = '';
  for (let i = 0; i < length; ++i) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += alphabet[x % alphabet.length];
  }
  return s;
}

// `depth` levels of arrays and objects around a leaf: [{"d":[{"d":...}]}].
function nested(depth) {
  let v = 'leaf';
  for (let i = 0; i < depth; ++i) v = i % 2 ? { d: v } : [v];
  return v;
}

const SHAPES = {
  'a string': ['hello'],
  'an empty string': [''],
  'no arguments': [],
  'several arguments of every JSON type': ['s', 1, -2.5, 0, true, false, null, [], {}],
  'integers at the edges of double precision': [
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    2 ** 31,
    -(2 ** 31) - 1,
    1e-300,
    1.7976931348623157e308,
  ],
  'fractions that must round-trip exactly': [0.1, 0.2, 1 / 3, Math.PI, -0.000123456789],
  'a nested object': [
    {
      user: { id: 7, name: 'ada', tags: ['a', 'b'], profile: { bio: null, active: true } },
      list: [1, [2, [3, [4, [5, { deep: 'yes' }]]]]],
      empty: { o: {}, a: [] },
    },
  ],
  // The server parses JSON to a depth of 32 (sio::limits::max_json_depth), counting the
  // packet's own array: an argument may nest 31 deep.
  'deep nesting (31 levels, the most the server accepts)': [nested(31)],
  'a top-level array argument': [[1, 'two', { three: 3 }, [4]]],
  'unicode: accents, CJK, RTL, emoji and astral planes': [
    'héllo wörld çà',
    '中文 日本語 한국어',
    'مرحبا שלום',
    '😀👍🏽👨‍👩‍👧‍👦🇫🇷',
    '𝄞 𐍈 \u{10FFFF}',
    { 'ключ': 'значение', '😀': ['🎉'] },
  ],
  'escapes and control characters': [
    'quote " backslash \\ slash / tab \t newline \n cr \r',
    '\u0000\u0001\u001f\u007f',
    '\u001e record separator (the polling payload separator)',
    '\u2028\u2029 line/paragraph separators',
    '</script><!-- -->',
  ],
  'strings that look like packets': ['42["message","x"]', '0', '4', '2probe', '451-["x",{"_placeholder":true,"num":0}]'],
  'objects with packet-like keys': [{ _placeholder: false, num: 0, data: 'x' }, { type: 2, nsp: '/' }],
  'many arguments (100)': Array.from({ length: 100 }, (_, i) => (i % 2 ? i : `arg${i}`)),
};

for (const transport of ['polling', 'websocket']) {
  describe(`over ${transport}`, () => {
    // A connection per test, so that one that breaks the connection fails alone.
    let socket;
    beforeEach(async () => {
      ({ socket } = await connect(null, fixture.url, { transports: [transport] }));
    });
    afterEach(() => socket?.disconnect());

    for (const [name, args] of Object.entries(SHAPES)) {
      test(name, async () => {
        assert.deepEqual(await echo(socket, ...args), args);
      });
    }

    test('JSON nested deeper than the server limit closes the connection', async () => {
      const closed = nextEvent(socket, 'disconnect', 2000);
      socket.emit('message', nested(32));
      assert.equal((await closed)[0], 'transport close');
    });

    test('a ~100 KB string', async () => {
      const big = text(100 * 1024, 7);
      const [back] = await echo(socket, big);
      assert.equal(back.length, big.length);
      assert.equal(back, big);
    });

    test('a ~100 KB unicode string (multi-byte UTF-8)', async () => {
      const big = 'é中😀'.repeat(12 * 1024); // 4 * 12K code units, ~110 KB of UTF-8
      const [back] = await echo(socket, big);
      assert.equal(back, big);
    });

    test('a large object (2000 keys)', async () => {
      const obj = {};
      for (let i = 0; i < 2000; ++i) obj[`key-${i}`] = { i, s: text(20, i) };
      assert.deepEqual(await echo(socket, obj), [obj]);
    });

    test('a unicode event name is dispatched by exact name', async () => {
      // The fixture only knows `message`; an event under another name gets no echo, and the
      // next `message` is still echoed (the unknown event did not break the connection).
      socket.emit('méssage', 'ignored');
      socket.emit('message ', 'ignored');
      assert.deepEqual(await echo(socket, 'after'), ['after']);
    });

    test('200 messages in a burst come back in order', async () => {
      const N = 200;
      const got = [];
      const done = new Promise((resolve) => {
        const on = (i, s) => {
          got.push([i, s]);
          if (got.length === N) {
            socket.off('message-back', on);
            resolve();
          }
        };
        socket.on('message-back', on);
      });
      for (let i = 0; i < N; ++i) socket.emit('message', i, `m${i}`);
      await within(done, 5000, () => `${got.length}/${N} arrived`);
      assert.deepEqual(
        got,
        Array.from({ length: N }, (_, i) => [i, `m${i}`]),
      );
    });
  });
}

// Over maxPayload (1,000,000 bytes) the server must drop the connection rather than buffer
// the message or hang; the client sees the disconnect.
for (const transport of ['polling', 'websocket']) {
  test(`a message over maxPayload closes the ${transport} connection`, async (t) => {
    const { socket } = await connect(t, fixture.url, { transports: [transport] });
    const disconnected = nextEvent(socket, 'disconnect', 3000);
    socket.emit('message', 'x'.repeat(1_100_000));
    const [reason] = await disconnected;
    assert.ok(
      ['transport close', 'transport error'].includes(reason),
      `unexpected disconnect reason ${reason}`,
    );
    // The server is still fine for others.
    const other = await connect(t, fixture.url, { transports: [transport] });
    assert.deepEqual(await echo(other.socket, 'ok'), ['ok']);
  });
}
