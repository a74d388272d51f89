'use strict';
// Acknowledgements: client emits with an ack to `message-with-ack` (the fixture acks with the
// event's own arguments), timeouts, and concurrency. Binary acks are in binary.test.js.

const { describe, test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { startFixture } = require('./lib/fixture');
const { connect, nextEvent, within, sleep } = require('./lib/util');

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

// Emits with a callback and resolves with the callback's arguments (all of them).
function emitCb(socket, event, ...args) {
  return within(
    new Promise((resolve) => socket.emit(event, ...args, (...res) => resolve(res))),
    2000,
    `no ack for '${event}'`,
  );
}

for (const transport of ['polling', 'websocket']) {
  describe(`over ${transport}`, () => {
    let socket;
    beforeEach(async () => {
      ({ socket } = await connect(null, fixture.url, { transports: [transport] }));
    });
    afterEach(() => socket?.disconnect());

    test('emitWithAck resolves with the acked argument', async () => {
      const value = { q: 'ping?', n: [1, 2, 3], u: 'ünï😀' };
      assert.deepEqual(await within(socket.emitWithAck('message-with-ack', value), 2000, 'ack'), value);
    });

    test('a callback ack receives every acked argument', async () => {
      const args = ['a', 1, null, false, { o: { p: [] } }, [1, [2]], 'last'];
      assert.deepEqual(await emitCb(socket, 'message-with-ack', ...args), args);
    });

    test('an ack with no arguments calls back with none', async () => {
      assert.deepEqual(await emitCb(socket, 'message-with-ack'), []);
    });

    test('timeout(ms).emit gets (null, ...args) when the ack is in time', async () => {
      const res = await new Promise((resolve) =>
        socket.timeout(1000).emit('message-with-ack', 'x', 2, (...r) => resolve(r)),
      );
      assert.deepEqual(res, [null, 'x', 2]);
    });

    test('timeout(ms).emitWithAck resolves when the ack is in time', async () => {
      assert.equal(await socket.timeout(1000).emitWithAck('message-with-ack', 'in time'), 'in time');
    });

    test('an event the server does not ack times out on the client', async () => {
      const started = Date.now();
      await assert.rejects(socket.timeout(200).emitWithAck('no-such-event', 1), {
        message: 'operation has timed out',
      });
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 190 && elapsed < 1000, `timed out after ${elapsed} ms`);
      // The connection is unaffected.
      assert.equal(socket.connected, true);
      assert.equal(await socket.emitWithAck('message-with-ack', 'after'), 'after');
    });

    test('`message` with an ack callback is echoed but not acked', async () => {
      const back = nextEvent(socket, 'message-back', 2000);
      const acked = new Promise((resolve) =>
        socket.timeout(300).emit('message', 'no ack', (err) => resolve(err)),
      );
      assert.deepEqual(await back, ['no ack']);
      const err = await acked;
      assert.ok(err instanceof Error, 'the ack must time out');
      assert.equal(err.message, 'operation has timed out');
    });

    test('200 concurrent acks each get their own answer', async () => {
      const N = 200;
      const answers = await within(
        Promise.all(
          Array.from({ length: N }, (_, i) => socket.emitWithAck('message-with-ack', i, `s${i}`)),
        ),
        5000,
        'not every ack arrived',
      );
      assert.deepEqual(
        answers,
        Array.from({ length: N }, (_, i) => i),
      );
    });

    test('acks and plain events interleave without mixing up', async () => {
      const echoes = [];
      socket.on('message-back', (v) => echoes.push(v));
      const acks = [];
      for (let i = 0; i < 20; ++i) {
        socket.emit('message', `e${i}`);
        acks.push(socket.emitWithAck('message-with-ack', `a${i}`));
      }
      const got = await within(Promise.all(acks), 3000, 'acks');
      assert.deepEqual(
        got,
        Array.from({ length: 20 }, (_, i) => `a${i}`),
      );
      // Every echo was sent before the last ack, on the same ordered connection.
      assert.deepEqual(
        echoes,
        Array.from({ length: 20 }, (_, i) => `e${i}`),
      );
    });
  });
}

test('on /custom (no message-with-ack handler) the ack times out', async (t) => {
  const { socket } = await connect(t, `${fixture.url}/custom`, { transports: ['websocket'] });
  await assert.rejects(socket.timeout(250).emitWithAck('message-with-ack', 1), {
    message: 'operation has timed out',
  });
  assert.equal(socket.connected, true);
});

test('an ack owed to a socket that disconnected is dropped; a new socket works', async (t) => {
  const { socket } = await connect(t, fixture.url, { transports: ['websocket'] });
  const pending = new Promise((resolve) =>
    socket.timeout(400).emit('message-with-ack', 'late', (err) => resolve(err)),
  );
  socket.disconnect(); // before the ack can arrive
  const err = await pending;
  assert.ok(err instanceof Error);
  const other = await connect(t, fixture.url, { transports: ['websocket'] });
  assert.equal(await other.socket.emitWithAck('message-with-ack', 'fresh'), 'fresh');
});

// Server-initiated emit with ack. Proposed fixture addition (not in the fixture yet): on
// `ask`, the server emits `question` with the same arguments and an ack (500 ms timeout),
// then emits `answer` with the client's ack arguments, or `answer-timeout` if none came.
// Until the fixture has it these tests skip themselves (a probe `ask` gets no `question`);
// CONFAB_FIXTURE_HAS_ASK=1 makes them run, and fail, regardless.
let hasAsk;
async function fixtureHasAsk() {
  if (process.env.CONFAB_FIXTURE_HAS_ASK === '1') return true;
  if (hasAsk === undefined) {
    const { socket } = await connect(null, fixture.url, { transports: ['websocket'] });
    const question = nextEvent(socket, 'question', 500);
    socket.emit('ask', 'probe');
    hasAsk = await question.then(
      () => true,
      () => false,
    );
    socket.disconnect();
  }
  return hasAsk;
}
const NO_ASK = 'the fixture has no `ask` event (server emit with ack) yet';

describe('server-to-client acks (fixture `ask` event)', () => {
  for (const transport of ['polling', 'websocket']) {
    test(`the client's ack reaches the server (${transport})`, async (t) => {
      if (!(await fixtureHasAsk())) return t.skip(NO_ASK);
      const { socket } = await connect(t, fixture.url, { transports: [transport] });
      socket.on('question', (...args) => {
        const ack = args.pop();
        assert.equal(typeof ack, 'function', 'the question must carry an ack');
        ack('reply to', ...args, { nested: [1, 2] });
      });
      const answer = nextEvent(socket, 'answer', 2000);
      socket.emit('ask', 'q1', 7);
      assert.deepEqual(await answer, ['reply to', 'q1', 7, { nested: [1, 2] }]);
    });

    test(`an unanswered question times out on the server (${transport})`, async (t) => {
      if (!(await fixtureHasAsk())) return t.skip(NO_ASK);
      const { socket } = await connect(t, fixture.url, { transports: [transport] });
      socket.on('question', () => {}); // never acks
      let answered = false;
      socket.on('answer', () => {
        answered = true;
      });
      const started = Date.now();
      const timedOut = nextEvent(socket, 'answer-timeout', 2000);
      socket.emit('ask', 'q2');
      await timedOut;
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 450 && elapsed < 1500, `timed out after ${elapsed} ms`);
      await sleep(150);
      assert.equal(answered, false);
    });
  }

  test('concurrent questions answered out of order each reach their own callback', async (t) => {
    if (!(await fixtureHasAsk())) return t.skip(NO_ASK);
    const { socket } = await connect(t, fixture.url, { transports: ['websocket'] });
    socket.on('question', (n, ack) => setTimeout(() => ack(`answer ${n}`, n), (5 - n) * 40));
    const answers = [];
    const all = new Promise((resolve) =>
      socket.on('answer', (...a) => {
        answers.push(a);
        if (answers.length === 5) resolve();
      }),
    );
    for (let n = 0; n < 5; ++n) socket.emit('ask', n);
    await within(all, 2000, () => `${answers.length}/5 answers`);
    // Answered last-asked first; each answer carries its own question's number.
    assert.deepEqual(
      answers,
      [4, 3, 2, 1, 0].map((n) => [`answer ${n}`, n]),
    );
  });

  test('a late ack after the server timed out is ignored', async (t) => {
    if (!(await fixtureHasAsk())) return t.skip(NO_ASK);
    const { socket } = await connect(t, fixture.url, { transports: ['websocket'] });
    socket.on('question', (...args) => {
      const ack = args.pop();
      setTimeout(() => ack('too late'), 650);
    });
    let answered = false;
    socket.on('answer', () => {
      answered = true;
    });
    socket.emit('ask');
    await nextEvent(socket, 'answer-timeout', 2000);
    await sleep(350); // the late ack went out at ~650 ms
    assert.equal(answered, false, 'no answer after the timeout');
    assert.equal(socket.connected, true);
    assert.equal(await socket.emitWithAck('message-with-ack', 'still fine'), 'still fine');
  });
});
