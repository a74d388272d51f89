'use strict';
// Rejected socket events (API.md "Socket events", "Limits"): every rejection is an
// `error {message, code, event}` to the sender only (and the ack, when asked), changes
// nothing, and leaves the connection usable. Non-participants get nothing of a chat.

const { describe, test, before } = require('node:test');
const assert = require('node:assert/strict');
const C = require('./lib/confab');

// Debug logging shows every refusal, with the client's event name in it.
const srv = C.useServer({ extraArgs: ['--log-level', 'debug'] });
const S = () => srv.server;

const UNKNOWN_ID = 'fedcba9876543210fedcba98';
// (Upper-case hex is not in the list: like a Mongo ObjectId cast, the server accepts it.)
const BAD_ID = ['nope', 'fedcba9876543210fedcba9', 'fedcba9876543210fedcba987', 'zzzzzzzzzzzzzzzzzzzzzzzz'];

// Events that never reach the room may still not be delivered instantly; this is how long a
// "nothing arrived" check waits after the rejection was acked.
const SETTLE_MS = 100;

let a; // group admin
let b; // member
let o; // outsider (not in the chat)
let chat;
let sa;
let sb;
let so;
let msg; // a message of a in chat
const RECORDED_OK = new Set(['user:typing', 'user:stoppedTyping', 'chat:activeUsers', 'user:joined', 'user:online', 'user:offline']);

before(async () => {
  await srv.ready();
  [a, b, o] = await Promise.all([C.register(S(), 'xa'), C.register(S(), 'xb'), C.register(S(), 'xo')]);
  chat = await C.createChat(S(), a, { participants: [b] });
  sa = await C.connectSocket(null, S(), a.token, { name: 'a' });
  sb = await C.connectSocket(null, S(), b.token, { name: 'b' });
  so = await C.connectSocket(null, S(), o.token, { name: 'outsider' });
  await C.join(sa, chat._id);
  await C.join(sb, chat._id);
  msg = await C.send(sa, chat._id, 'the message');
  await sb.rec.waitFor('message:received', (m) => m._id === msg._id);
  await C.quiet(100);
});

// What a valid payload of each event looks like (built lazily: ids exist after `before`).
const VALID = {
  'chat:join': () => ({ chatId: chat._id }),
  'chat:leave': () => ({ chatId: chat._id }),
  'chat:typing': () => ({ chatId: chat._id }),
  'chat:stopTyping': () => ({ chatId: chat._id }),
  'message:send': () => ({ chatId: chat._id, content: 'x', messageType: 'text', attachments: [], replyTo: null }),
  'message:markRead': () => ({ messageId: msg._id, chatId: chat._id }),
  'message:edit': () => ({ messageId: msg._id, chatId: chat._id, content: 'edited?' }),
  'message:delete': () => ({ messageId: msg._id, chatId: chat._id }),
  'message:reaction': () => ({ messageId: msg._id, chatId: chat._id, emoji: '👍' }),
};
const REQUIRED = {
  'chat:join': ['chatId'],
  'chat:leave': ['chatId'],
  'chat:typing': ['chatId'],
  'chat:stopTyping': ['chatId'],
  'message:send': ['chatId', 'content'],
  'message:markRead': ['messageId', 'chatId'],
  'message:edit': ['messageId', 'chatId', 'content'],
  'message:delete': ['messageId', 'chatId'],
  'message:reaction': ['messageId', 'chatId', 'emoji'],
};
const EVENTS = Object.keys(VALID);

// Emits `event` with `args` (an ack is appended) from `socket`; asserts the ack error and the
// error event (code in `codes`), that nobody else got anything, that history is unchanged, and
// that the socket still works. Resolves with the error event payload.
async function expectRejected(socket, event, args, codes, { others = [sa, sb, so].filter((s) => s !== socket) } = {}) {
  const from = socket.rec.mark();
  const marks = others.map((s) => s.rec.mark());
  const before = await C.history(S(), a, chat._id);
  const ack = await C.emitAck(socket, event, ...args);
  C.assertAckError(ack, codes, `${event} ${JSON.stringify(args).slice(0, 80)}`);
  const ev = await socket.rec.waitError(event, { from });
  C.assertErrorEvent(ev, event, codes);
  assert.equal(ev.code, ack.error.code, 'the ack and the error event disagree on the code');
  await C.quiet(SETTLE_MS);
  assert.equal(socket.rec.since(from, 'error').length, 1, 'more than one error event for one rejection');
  const own = socket.rec.since(from).filter((e) => e.event !== 'error' && !e.event.startsWith('user:o'));
  assert.deepEqual(own.map((e) => e.event), [], 'the rejected sender got events besides the error');
  others.forEach((s, i) => {
    const got = s.rec.since(marks[i]).filter((e) => !e.event.startsWith('user:o'));
    assert.deepEqual(got.map((e) => `${e.event} ${JSON.stringify(e.args)}`), [], `${s.rec.name} got something from a rejected ${event}`);
  });
  assert.deepEqual(await C.history(S(), a, chat._id), before, `a rejected ${event} changed the history`);
  await assertUsable(socket);
  return ev;
}

// The socket still works: a valid chat:typing of a chat it is in (or an unknown event that
// must again be answered, for the outsider) is acked.
async function assertUsable(socket) {
  assert.ok(socket.connected, `${socket.rec.name} was disconnected`);
  if (socket === so) {
    const ack = await C.emitAck(so, 'no:such:event', {});
    C.assertAckError(ack, null, 'outsider liveness probe');
    return;
  }
  const from = (socket === sa ? sb : sa).rec.mark();
  C.assertOk(await C.emitAck(socket, 'chat:stopTyping', { chatId: chat._id }), 'liveness probe');
  await (socket === sa ? sb : sa).rec.waitFor('user:stoppedTyping', (p) => p.chatId === chat._id, { from });
}

describe('unknown events', () => {
  for (const name of ['no:such', 'message:unknown', 'chat:JOIN', 'message', 'user:typing', 'toString']) {
    test(`'${name}' gets an error naming it`, async () => {
      await expectRejected(sb, name, [{ chatId: chat._id }], ['BAD_REQUEST', 'NOT_FOUND']);
    });
  }

  test('an unknown event without an ack still gets the error event', async () => {
    const from = sb.rec.mark();
    sb.emit('totally:unknown', { a: 1 });
    C.assertErrorEvent(await sb.rec.waitError('totally:unknown', { from }), 'totally:unknown', ['BAD_REQUEST', 'NOT_FOUND']);
    await assertUsable(sb);
  });
});

test('an event name cannot forge a log line: control characters are escaped, a long one is cut', async () => {
  const forged = 'x\n2026-11-24T00:00:00.000Z error FORGED \u001b[31m';
  const from = sb.rec.mark();
  sb.emit(forged, {});
  await sb.rec.waitError(forged, { from });
  sb.emit('y'.repeat(5000), {});
  await sb.rec.waitError('y'.repeat(5000), { from });
  const lines = S().output.stderr.split('\n');
  assert.ok(!lines.some((l) => l.startsWith('2026-11-24T00:00:00.000Z')), 'a forged log line');
  assert.ok(lines.some((l) => l.includes('event=x\\x0a2026-11-24T00:00:00.000Z error FORGED \\x1b[31m')), 'the escaped name');
  assert.ok(!lines.some((l) => l.includes('y'.repeat(1100))), 'a 5000-character name in full');
});

describe('events the stock client cannot send, written raw', () => {
  test('an event that is not JSON gets error BAD_REQUEST, changes nothing, and keeps the connection', async () => {
    const before = await C.history(S(), a, chat._id);
    const from = sb.rec.mark();
    sb.io.engine.write(`2["message:send",{"chatId":"${chat._id}","content":"half`);
    const ev = await sb.rec.waitFor('error', (p) => p && p.code === 'BAD_REQUEST', { from });
    C.assertKeys(ev, ['message', 'code', 'event'], 'error');
    assert.match(ev.message, /JSON/);
    assert.deepEqual(await C.history(S(), a, chat._id), before);
    await assertUsable(sb);
  });

  test('an event named by a number (the reference parser allows it) is an unknown event', async () => {
    const from = sb.rec.mark();
    sb.io.engine.write('2[123,{"a":1}]'); // engine.write adds the Engine.IO "4"
    C.assertErrorEvent(await sb.rec.waitError('123', { from }), '123', ['BAD_REQUEST', 'NOT_FOUND']);
    await assertUsable(sb);
  });
});

describe('payloads that are not an object', () => {
  const shapes = { none: [], string: ['chatId'], number: [42], array: [[{ chatId: 'x' }]], null: [null], boolean: [true] };
  for (const event of EVENTS) {
    for (const [kind, args] of Object.entries(shapes)) {
      test(`${event} with ${kind}: BAD_REQUEST`, async () => {
        const real = kind === 'array' ? [[VALID[event]()]] : args;
        await expectRejected(sb, event, real, 'BAD_REQUEST');
      });
    }
  }
});

describe('missing and mistyped fields', () => {
  for (const event of EVENTS) {
    test(`${event} {}: BAD_REQUEST`, async () => {
      await expectRejected(sb, event, [{}], 'BAD_REQUEST');
    });
    for (const field of REQUIRED[event]) {
      test(`${event} without ${field}: BAD_REQUEST`, async () => {
        const p = VALID[event]();
        delete p[field];
        await expectRejected(sa, event, [p], 'BAD_REQUEST');
      });
      test(`${event} with ${field} a number: BAD_REQUEST`, async () => {
        await expectRejected(sa, event, [{ ...VALID[event](), [field]: 12345 }], 'BAD_REQUEST');
      });
    }
  }
});

describe('malformed and unknown ids', () => {
  for (const event of EVENTS) {
    test(`${event} with malformed chatIds: NOT_FOUND (API.md: "Unknown or malformed id: 404 / error")`, async () => {
      for (const bad of BAD_ID) await expectRejected(sb, event, [{ ...VALID[event](), chatId: bad }], 'NOT_FOUND');
    });
    if (REQUIRED[event].includes('messageId')) {
      test(`${event} with malformed messageIds: NOT_FOUND`, async () => {
        for (const bad of BAD_ID.slice(0, 3)) await expectRejected(sa, event, [{ ...VALID[event](), messageId: bad }], 'NOT_FOUND');
      });
      test(`${event} with an unknown messageId: NOT_FOUND`, async () => {
        await expectRejected(sa, event, [{ ...VALID[event](), messageId: UNKNOWN_ID }], 'NOT_FOUND');
      });
    }
    if (event !== 'chat:leave') {
      test(`${event} with an unknown chatId: NOT_FOUND or FORBIDDEN`, async () => {
        await expectRejected(sb, event, [{ ...VALID[event](), chatId: UNKNOWN_ID }], ['NOT_FOUND', 'FORBIDDEN']);
      });
    }
  }
});

describe('content, emoji, replyTo, messageType limits', () => {
  const send = (extra) => [{ ...VALID['message:send'](), ...extra }];
  test('message:send content empty: BAD_REQUEST', async () => {
    await expectRejected(sb, 'message:send', send({ content: '' }), 'BAD_REQUEST');
  });
  test('message:send content of 10001 characters: BAD_REQUEST', async () => {
    await expectRejected(sb, 'message:send', send({ content: 'x'.repeat(10001) }), 'BAD_REQUEST');
  });
  test('message:send content of 10001 two-byte characters: BAD_REQUEST', async () => {
    await expectRejected(sb, 'message:send', send({ content: 'é'.repeat(10001) }), 'BAD_REQUEST');
  });
  test('message:send content of 10001 emoji: BAD_REQUEST', async () => {
    await expectRejected(sb, 'message:send', send({ content: '😀'.repeat(10001) }), 'BAD_REQUEST');
  });
  test('message:send with an unknown messageType: BAD_REQUEST', async () => {
    await expectRejected(sb, 'message:send', send({ messageType: 'video' }), 'BAD_REQUEST');
  });
  test('message:send with attachments not an array: BAD_REQUEST', async () => {
    await expectRejected(sb, 'message:send', send({ attachments: 'file.png' }), 'BAD_REQUEST');
  });
  test('message:send with a malformed replyTo: BAD_REQUEST, as one of another chat', async () => {
    await expectRejected(sb, 'message:send', send({ replyTo: 'nope' }), 'BAD_REQUEST');
  });
  test('message:send with an unknown replyTo: error', async () => {
    await expectRejected(sb, 'message:send', send({ replyTo: UNKNOWN_ID }), ['BAD_REQUEST', 'NOT_FOUND']);
  });
  test('message:send replying to a message of another chat: error', async () => {
    const other = await C.createChat(S(), b, { participants: [a] });
    const elsewhere = await C.post(sb, other._id, 'in another chat');
    await expectRejected(sb, 'message:send', send({ replyTo: elsewhere.messageId }), ['BAD_REQUEST', 'NOT_FOUND', 'FORBIDDEN']);
  });
  test('message:edit content empty or 10001 characters: BAD_REQUEST', async () => {
    await expectRejected(sa, 'message:edit', [{ ...VALID['message:edit'](), content: '' }], 'BAD_REQUEST');
    await expectRejected(sa, 'message:edit', [{ ...VALID['message:edit'](), content: 'y'.repeat(10001) }], 'BAD_REQUEST');
  });
  test('message:reaction emoji empty: BAD_REQUEST', async () => {
    await expectRejected(sb, 'message:reaction', [{ ...VALID['message:reaction'](), emoji: '' }], 'BAD_REQUEST');
  });
  test('message:reaction emoji of 33 bytes: BAD_REQUEST', async () => {
    const emoji = `${'😀'.repeat(8)}a`;
    assert.equal(Buffer.byteLength(emoji), 33);
    await expectRejected(sb, 'message:reaction', [{ ...VALID['message:reaction'](), emoji }], 'BAD_REQUEST');
  });
  test('message:reaction emoji of 36 bytes (9 emoji): BAD_REQUEST', async () => {
    await expectRejected(sb, 'message:reaction', [{ ...VALID['message:reaction'](), emoji: '😀'.repeat(9) }], 'BAD_REQUEST');
  });
});

describe('strings with a lone UTF-16 surrogate', () => {
  // JSON.stringify('\ud800') is the valid JSON text "\ud800" (an escape); socket.io-client sends
  // it as is. The server may accept such a string or refuse the event with BAD_REQUEST, but it
  // must answer, and keep the connection (API.md "Limits": a clear error, nothing changed).
  const cases = [
    ['message:send content', 'message:send', () => ({ chatId: chat._id, content: 'a\ud800b' })],
    ['message:send content (lone low surrogate)', 'message:send', () => ({ chatId: chat._id, content: '\udc00' })],
    ['an unused extra field of chat:typing', 'chat:typing', () => ({ chatId: chat._id, note: '\ud83d' })],
    ['message:reaction emoji', 'message:reaction', () => ({ messageId: msg._id, chatId: chat._id, emoji: '\ud83d' })],
  ];
  for (const [name, event, payload] of cases) {
    for (const transports of [['websocket'], ['polling']]) {
      test(`${name} over ${transports[0]}: answered (ok or BAD_REQUEST), connection kept`, async (t) => {
        const s = await C.connectSocket(t, S(), b.token, { name: 'b-surrogate', transports });
        let reason = null;
        s.once('disconnect', (r) => {
          reason = r;
        });
        const from = s.rec.mark();
        const ack = await C.emitAckWithin(1000, s, event, payload()).catch(() => null);
        await C.quiet(100);
        assert.equal(reason, null, `the server dropped the connection (${reason}) for ${name}`);
        assert.ok(ack, `no ack for ${event} with a lone surrogate`);
        if (ack.ok !== true) {
          C.assertAckError(ack, 'BAD_REQUEST');
          C.assertErrorEvent(await s.rec.waitError(event, { from }), event, 'BAD_REQUEST');
        }
        C.assertOk(await C.emitAck(s, 'chat:stopTyping', { chatId: chat._id }), 'after the lone surrogate');
      });
    }
  }
});

describe('non-participants', () => {
  for (const event of EVENTS.filter((e) => e !== 'chat:leave')) {
    test(`${event} by an outsider on the chat: FORBIDDEN`, async () => {
      await expectRejected(so, event, [VALID[event]()], 'FORBIDDEN');
    });
  }

  test('an outsider receives nothing of the chat while its members talk (after a refused chat:join)', async (t) => {
    C.assertAckError(await C.emitAck(so, 'chat:join', { chatId: chat._id }), 'FORBIDDEN');
    // A second connection of the outsider tries too, without an ack.
    const so2 = await C.connectSocket(t, S(), o.token, { name: 'outsider-2' });
    so2.emit('chat:join', { chatId: chat._id });
    await so2.rec.waitError('chat:join');
    const f1 = so.rec.mark();
    const f2 = so2.rec.mark();
    const m = await C.send(sa, chat._id, 'members only');
    await sb.rec.waitFor('message:received', (p) => p._id === m._id);
    C.assertOk(await C.emitAck(sb, 'chat:typing', { chatId: chat._id }));
    C.assertOk(await C.emitAck(sb, 'chat:stopTyping', { chatId: chat._id }));
    C.assertOk(await C.emitAck(sb, 'message:markRead', { messageId: m._id, chatId: chat._id }));
    C.assertOk(await C.emitAck(sb, 'message:reaction', { messageId: m._id, chatId: chat._id, emoji: '🙂' }));
    C.assertOk(await C.emitAck(sa, 'message:edit', { messageId: m._id, chatId: chat._id, content: 'members only!' }));
    C.assertOk(await C.emitAck(sa, 'message:delete', { messageId: m._id, chatId: chat._id }));
    C.assertOk(await C.emitAck(sb, 'chat:leave', { chatId: chat._id }));
    C.assertOk(await C.emitAck(sb, 'chat:join', { chatId: chat._id }));
    await sa.rec.waitFor('message:deleted', (p) => p.messageId === m._id);
    await sa.rec.waitFor('user:joined', (p) => p.userId === b.id && p.chatId === chat._id);
    await C.quiet();
    for (const [s, f] of [[so, f1], [so2, f2]]) {
      const got = s.rec.since(f).filter((e) => !e.event.startsWith('user:o'));
      assert.deepEqual(got.map((e) => `${e.event} ${JSON.stringify(e.args)}`), [], `${s.rec.name} received events of a chat it is not in`);
    }
  });

  test("an outsider using a message of the chat through its own chat's id changes nothing and hears nothing", async (t) => {
    const d = await C.register(S(), 'xd');
    const own = await C.createChat(S(), o, { participants: [d] });
    await C.join(so, own._id);
    const target = await C.send(sa, chat._id, 'not yours');
    await sb.rec.waitFor('message:received', (p) => p._id === target._id);
    const before = await C.history(S(), a, chat._id);
    const fa = sa.rec.mark();
    const fb = sb.rec.mark();
    const tries = [
      ['message:markRead', { messageId: target._id, chatId: own._id }],
      ['message:edit', { messageId: target._id, chatId: own._id, content: 'pwned' }],
      ['message:delete', { messageId: target._id, chatId: own._id }],
      ['message:reaction', { messageId: target._id, chatId: own._id, emoji: '💀' }],
      ['message:send', { chatId: own._id, content: 'quoting you', replyTo: target._id }],
    ];
    for (const [event, payload] of tries) {
      const from = so.rec.mark();
      const ack = await C.emitAck(so, event, payload);
      C.assertAckError(ack, ['BAD_REQUEST', 'NOT_FOUND', 'FORBIDDEN'], `${event} with a message of another chat`);
      C.assertErrorEvent(await so.rec.waitError(event, { from }), event);
    }
    await C.quiet();
    assert.deepEqual(await C.history(S(), a, chat._id), before, 'an outsider changed a message of a chat it is not in');
    assert.deepEqual(sa.rec.since(fa).filter((e) => !e.event.startsWith('user:o')).map((e) => e.event), []);
    assert.deepEqual(sb.rec.since(fb).filter((e) => !e.event.startsWith('user:o')).map((e) => e.event), []);
    assert.deepEqual((await C.history(S(), o, own._id)).messages, [], 'a reply to a foreign message was stored');
    assert.ok(t);
  });

  test('a member using a message through the id of another chat it is also in is refused', async () => {
    const other = await C.createChat(S(), b, { participants: [a] });
    const target = await C.send(sa, chat._id, 'in the first chat');
    await sb.rec.waitFor('message:received', (p) => p._id === target._id);
    const before = await C.history(S(), a, chat._id);
    for (const [event, payload] of [
      ['message:edit', { messageId: target._id, chatId: other._id, content: 'moved?' }],
      ['message:delete', { messageId: target._id, chatId: other._id }],
      ['message:markRead', { messageId: target._id, chatId: other._id }],
      ['message:reaction', { messageId: target._id, chatId: other._id, emoji: '🔀' }],
    ]) {
      const ack = await C.emitAck(sa, event, payload);
      C.assertAckError(ack, ['BAD_REQUEST', 'NOT_FOUND', 'FORBIDDEN'], `${event} with a chatId the message is not in`);
    }
    assert.deepEqual(await C.history(S(), a, chat._id), before);
  });
});

describe('errors go to the sender only', () => {
  test('over the whole file, b never received an error caused by someone else', () => {
    // b's own rejections were all in tests where b was the sender; count them against b's acks.
    const errs = sb.rec.since(0, 'error').map((e) => e.args[0]);
    errs.forEach((e) => C.assertErrorEvent(e, e.event));
    const others = sb.rec.since(0).filter((e) => !RECORDED_OK.has(e.event) && !['error', 'message:received', 'message:sent', 'message:read', 'message:reactionUpdated', 'message:edited', 'message:deleted', 'user:left'].includes(e.event));
    assert.deepEqual(others.map((e) => e.event), []);
  });

  test('the sockets are all still connected', () => {
    for (const s of [sa, sb, so]) assert.ok(s.connected, `${s.rec.name} disconnected`);
    for (const s of [sa, sb, so]) s.disconnect();
  });
});
