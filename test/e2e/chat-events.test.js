'use strict';
// Socket events of the chat (API.md "Socket events"), success paths: who receives what, with
// which exact payload, and what REST shows afterwards. Rejections are in chat-errors.test.js.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const C = require('./lib/confab');

const srv = C.useServer();
const S = () => srv.server;

// Fresh users a (group admin), b, c and a group chat of the three; `joined` lists who
// connects a socket and joins the room now. Resolves with { a, b, c, chat, sock: {a, b, c} }.
async function room(t, { joined = ['a', 'b'], type = 'group' } = {}) {
  const [a, b, c] = await Promise.all([C.register(S(), 'ea'), C.register(S(), 'eb'), C.register(S(), 'ec')]);
  const chat = await C.createChat(S(), a, type === 'group' ? { participants: [b, c] } : { type: 'direct', participants: [b] });
  const users = { a, b, c };
  const sock = {};
  for (const k of joined) {
    sock[k] = await C.connectSocket(t, S(), users[k].token, { name: k });
    await C.join(sock[k], chat._id);
  }
  // Let the joins settle: every member has heard the final count.
  for (const k of joined) {
    await sock[k].rec.waitFor('chat:activeUsers', (p) => p.chatId === chat._id && p.count === joined.length);
  }
  return { a, b, c, chat, sock };
}

const isChat = (chatId) => (p) => p && p.chatId === chatId;

describe('chat:join / chat:leave', () => {
  test('user:joined and chat:activeUsers go to the room; the count is of distinct users', async (t) => {
    const { a, b, chat } = await room(t, { joined: [] });
    const a1 = await C.connectSocket(t, S(), a.token, { name: 'a1' });
    const b1 = await C.connectSocket(t, S(), b.token, { name: 'b1' });
    const b2 = await C.connectSocket(t, S(), b.token, { name: 'b2' });
    const count = (s, n, from) => s.rec.waitFor('chat:activeUsers', (p) => p.chatId === chat._id && p.count === n, { from });

    // a joins: the room (a alone) hears it.
    let ack = await C.emitAck(a1, 'chat:join', { chatId: chat._id });
    C.assertOk(ack, 'a chat:join');
    const au = await count(a1, 1);
    C.assertKeys(au, ['chatId', 'count'], 'chat:activeUsers');
    const aj = await a1.rec.waitFor('user:joined', isChat(chat._id));
    C.assertKeys(aj, ['userId', 'chatId'], 'user:joined');
    assert.deepEqual(aj, { userId: a.id, chatId: chat._id });

    // b joins from its first socket: a and b both get user:joined(b) and count 2.
    let fa = a1.rec.mark();
    ack = await C.emitAck(b1, 'chat:join', { chatId: chat._id });
    C.assertOk(ack, 'b1 chat:join');
    assert.deepEqual(await a1.rec.waitFor('user:joined', (p) => p.userId === b.id, { from: fa }), { userId: b.id, chatId: chat._id });
    assert.deepEqual(await count(a1, 2, fa), { chatId: chat._id, count: 2 });
    await count(b1, 2);
    await b1.rec.waitFor('user:joined', (p) => p.userId === b.id);

    // b's second socket joins: still 2 distinct users.
    fa = a1.rec.mark();
    C.assertOk(await C.emitAck(b2, 'chat:join', { chatId: chat._id }), 'b2 chat:join');
    const third = await a1.rec.waitFor('chat:activeUsers', isChat(chat._id), { from: fa });
    assert.deepEqual(third, { chatId: chat._id, count: 2 }, 'a second socket of the same user counted twice');
    assert.deepEqual(await b2.rec.waitFor('chat:activeUsers', isChat(chat._id)), { chatId: chat._id, count: 2 });

    // b2 leaves: b is still in the room through b1, so still 2.
    fa = a1.rec.mark();
    C.assertOk(await C.emitAck(b2, 'chat:leave', { chatId: chat._id }), 'b2 chat:leave');
    const afterB2 = await a1.rec.waitFor('chat:activeUsers', isChat(chat._id), { from: fa });
    assert.deepEqual(afterB2, { chatId: chat._id, count: 2 });

    // b1 leaves: user:left(b) and count 1.
    fa = a1.rec.mark();
    const fb1 = b1.rec.mark();
    C.assertOk(await C.emitAck(b1, 'chat:leave', { chatId: chat._id }), 'b1 chat:leave');
    const left = await a1.rec.waitFor('user:left', isChat(chat._id), { from: fa });
    C.assertKeys(left, ['userId', 'chatId'], 'user:left');
    assert.deepEqual(left, { userId: b.id, chatId: chat._id });
    assert.deepEqual(await a1.rec.waitFor('chat:activeUsers', isChat(chat._id), { from: fa }), { chatId: chat._id, count: 1 });

    // b, out of the room, no longer hears it.
    const fb2 = b2.rec.mark();
    await C.send(a1, chat._id, 'after b left');
    await C.quiet();
    assert.deepEqual(b1.rec.since(fb1, 'message:received'), [], 'b1 still receives room messages after chat:leave');
    assert.deepEqual(b2.rec.since(fb2, 'message:received'), [], 'b2 still receives room messages after chat:leave');
  });

  test('a participant that has not joined the room hears none of it', async (t) => {
    const { c, chat, sock } = await room(t);
    const cs = await C.connectSocket(t, S(), c.token, { name: 'c' });
    await C.send(sock.a, chat._id, 'room only');
    C.assertOk(await C.emitAck(sock.a, 'chat:typing', { chatId: chat._id }));
    await sock.b.rec.waitFor('user:typing', isChat(chat._id));
    await C.quiet();
    assert.deepEqual(cs.rec.since(0).filter((e) => !e.event.startsWith('user:o')).map((e) => e.event), []);
  });

  test('a socket that disconnects is out of the room (the next count does not include it)', async (t) => {
    const { c, chat, sock } = await room(t);
    sock.b.disconnect();
    await C.quiet(200);
    const from = sock.a.rec.mark();
    const cs = await C.connectSocket(t, S(), c.token, { name: 'c' });
    await C.join(cs, chat._id);
    const p = await sock.a.rec.waitFor('user:joined', (x) => x.userId === c.id, { from }).then(() =>
      sock.a.rec.waitFor('chat:activeUsers', isChat(chat._id), { from }),
    );
    assert.deepEqual(p, { chatId: chat._id, count: 2 }, 'a disconnected socket still counts as in the room');
  });

  test('joining twice then leaving once leaves the room (rooms are sets)', async (t) => {
    const { b, chat, sock } = await room(t);
    C.assertOk(await C.emitAck(sock.b, 'chat:join', { chatId: chat._id }), 'second chat:join');
    await C.quiet(150);
    const from = sock.a.rec.mark();
    const fb = sock.b.rec.mark();
    C.assertOk(await C.emitAck(sock.b, 'chat:leave', { chatId: chat._id }), 'chat:leave');
    assert.deepEqual(await sock.a.rec.waitFor('user:left', isChat(chat._id), { from }), { userId: b.id, chatId: chat._id });
    assert.deepEqual(await sock.a.rec.waitFor('chat:activeUsers', isChat(chat._id), { from }), { chatId: chat._id, count: 1 });
    await C.send(sock.a, chat._id, 'b is gone');
    await C.quiet();
    assert.deepEqual(sock.b.rec.since(fb, 'message:received'), []);
  });
});

describe('message:send', () => {
  test('message:received to the whole room (sender included), message:sent to the sender only', async (t) => {
    const { a, chat, sock } = await room(t);
    const clientMessageId = C.clientMessageId();
    const fa = sock.a.rec.mark();
    const fb = sock.b.rec.mark();
    const ack = await C.emitAck(sock.a, 'message:send', {
      chatId: chat._id,
      content: 'hello room',
      messageType: 'text',
      attachments: [],
      replyTo: null,
      clientMessageId,
    });
    C.assertOk(ack, 'message:send');
    const mA = await sock.a.rec.waitFor('message:received', isChat(chat._id), { from: fa });
    const mB = await sock.b.rec.waitFor('message:received', isChat(chat._id), { from: fb });
    C.assertMessage(mA, 'message:received');
    assert.deepEqual(mB, mA, 'members receive different Message objects');
    assert.equal(mA.content, 'hello room');
    assert.equal(mA.chatId, chat._id);
    assert.deepEqual(mA.senderId, { _id: a.id, username: a.username });
    assert.equal(mA.messageType, 'text');
    assert.deepEqual(mA.attachments, []);
    assert.equal(mA.replyTo, null);
    assert.deepEqual(mA.reactions, []);
    assert.equal(mA.isEdited, false);
    assert.equal(mA.isDeleted, false);
    assert.equal(mA.editedAt, null);
    assert.equal(mA.deletedAt, null);
    assert.ok(Math.abs(Date.parse(mA.createdAt) - Date.now()) < 10000, mA.createdAt);

    const sent = await sock.a.rec.waitFor('message:sent', isChat(chat._id), { from: fa });
    C.assertKeys(sent, ['messageId', 'chatId', 'clientMessageId', 'createdAt'], 'message:sent');
    assert.deepEqual(sent, { messageId: mA._id, chatId: chat._id, clientMessageId, createdAt: mA.createdAt });
    // The ack has message:sent's fields and the whole Message.
    assert.deepEqual(ack, { ok: true, ...sent, message: mA });
    await C.quiet();
    assert.deepEqual(sock.b.rec.since(fb, 'message:sent'), [], 'message:sent went to another member');
    assert.equal(sock.a.rec.since(fa, 'message:received').length, 1, 'the sender got message:received more than once');
    assert.equal(sock.b.rec.since(fb, 'message:received').length, 1);

    // Stored: in the history of every participant, equal to what was broadcast.
    const h = await C.history(S(), { token: (await C.api(S(), 'POST', '/api/auth/login', { body: { username: a.username, password: a.password } })).json.token }, chat._id);
    assert.equal(h.messages.length, 1);
    assert.equal(h.messages[0]._id, mA._id);
    assert.equal(h.messages[0].content, 'hello room');
    assert.deepEqual(h.messages[0].senderId, mA.senderId);
    assert.equal(h.messages[0].createdAt, mA.createdAt);
  });

  test('message:received is exactly a contract Message (no extra fields)', async (t) => {
    const { chat, sock } = await room(t);
    const m = await C.send(sock.a, chat._id, 'shape');
    C.assertMessage(m, 'message:received', { exact: true });
  });

  test('a sender socket outside the room gets message:sent; the room gets message:received', async (t) => {
    const { a, chat, sock } = await room(t, { joined: ['b'] });
    const a2 = await C.connectSocket(t, S(), a.token, { name: 'a-unjoined' });
    const sent = await C.post(a2, chat._id, 'from outside the room');
    const m = await sock.b.rec.waitFor('message:received', (p) => p._id === sent.messageId);
    assert.equal(m.content, 'from outside the room');
  });

  test('a repeated clientMessageId returns the first message and stores nothing new', async (t) => {
    const { chat, sock, b } = await room(t);
    const clientMessageId = C.clientMessageId();
    const fa = sock.a.rec.mark();
    C.assertOk(await C.sendMessage(sock.a, chat._id, 'once', { clientMessageId }));
    const first = await sock.a.rec.waitFor('message:sent', (p) => p.clientMessageId === clientMessageId, { from: fa });
    const fa2 = sock.a.rec.mark();
    C.assertOk(await C.sendMessage(sock.a, chat._id, 'once', { clientMessageId }), 'repeat');
    const second = await sock.a.rec.waitFor('message:sent', (p) => p.clientMessageId === clientMessageId, { from: fa2 });
    assert.deepEqual(second, first, 'the repeat did not return the first message');
    // Even with other content, the same clientMessageId is the same message.
    const fa3 = sock.a.rec.mark();
    const repeatAck = await C.sendMessage(sock.a, chat._id, 'changed content', { clientMessageId });
    C.assertOk(repeatAck, 'repeat with other content');
    assert.equal(repeatAck.message._id, first.messageId);
    assert.equal(repeatAck.message.content, 'once', "the repeat's ack carries the first message");
    const third = await sock.a.rec.waitFor('message:sent', (p) => p.clientMessageId === clientMessageId, { from: fa3 });
    assert.equal(third.messageId, first.messageId);
    const h = await C.history(S(), b, chat._id);
    assert.deepEqual(h.messages.map((m) => m.content), ['once'], 'the history has duplicates');
    // Another user with the same clientMessageId gets a message of its own.
    const fb = sock.b.rec.mark();
    C.assertOk(await C.sendMessage(sock.b, chat._id, 'mine', { clientMessageId }));
    const other = await sock.b.rec.waitFor('message:sent', (p) => p.clientMessageId === clientMessageId, { from: fb });
    assert.notEqual(other.messageId, first.messageId, "another user's clientMessageId collided");
    assert.deepEqual((await C.history(S(), b, chat._id)).messages.map((m) => m.content), ['once', 'mine']);
  });

  test('without clientMessageId every send is a new message', async (t) => {
    const { chat, sock, b } = await room(t);
    for (let i = 0; i < 2; i += 1) {
      C.assertOk(await C.emitAck(sock.a, 'message:send', { chatId: chat._id, content: 'same', messageType: 'text', attachments: [], replyTo: null }));
    }
    await sock.b.rec.waitFor('message:received', (m, e) => sock.b.rec.since(0, 'message:received').length >= 2 && e);
    assert.equal((await C.history(S(), b, chat._id)).messages.length, 2);
  });

  test('a minimal {chatId, content} gets the defaults (text, no attachments, no reply)', async (t) => {
    const { chat, sock } = await room(t);
    const from = sock.b.rec.mark();
    C.assertOk(await C.emitAck(sock.a, 'message:send', { chatId: chat._id, content: 'minimal' }), 'minimal message:send');
    const m = await sock.b.rec.waitFor('message:received', (p) => p.content === 'minimal', { from });
    C.assertMessage(m);
    assert.equal(m.messageType, 'text');
    assert.deepEqual(m.attachments, []);
    assert.equal(m.replyTo, null);
  });

  test('replyTo a message of the same chat; attachments and messageType are kept', async (t) => {
    const { chat, sock, b } = await room(t);
    const first = await C.send(sock.a, chat._id, 'question');
    const attachments = [{ url: 'https://example.com/a.png', name: 'a.png', size: 1234, mimeType: 'image/png' }];
    const reply = await C.send(sock.b, chat._id, 'answer', { replyTo: first._id, messageType: 'image', attachments });
    assert.equal(reply.replyTo, first._id);
    assert.equal(reply.messageType, 'image');
    assert.deepEqual(reply.attachments, attachments);
    const stored = (await C.history(S(), b, chat._id)).messages.find((m) => m._id === reply._id);
    assert.equal(stored.replyTo, first._id);
    assert.deepEqual(stored.attachments, attachments);
  });

  test('content of exactly 10000 characters is accepted, also when they are multi-byte', async (t) => {
    const { chat, sock, b } = await room(t);
    const ascii = 'x'.repeat(10000);
    const accented = 'é'.repeat(10000); // 10000 characters, 20000 UTF-8 bytes
    C.assertOk(await C.sendMessage(sock.a, chat._id, ascii), '10000 ASCII chars');
    C.assertOk(await C.sendMessage(sock.a, chat._id, accented), '10000 two-byte chars');
    const h = await C.history(S(), b, chat._id);
    assert.deepEqual(h.messages.map((m) => m.content.length), [10000, 10000]);
    assert.equal(h.messages[1].content, accented);
  });

  test('content of 10000 astral characters (emoji: 2 UTF-16 units, 4 bytes each) is accepted', async (t) => {
    const { chat, sock, b } = await room(t);
    const emoji = '😀'.repeat(10000);
    C.assertOk(await C.sendMessage(sock.a, chat._id, emoji), '10000 emoji');
    assert.equal((await C.history(S(), b, chat._id)).messages[0].content, emoji);
  });

  test('unicode content round-trips exactly', async (t) => {
    const { chat, sock } = await room(t);
    const text = 'ünï 😀 中文 "quotes" \\ back \n newline \u0000 nul';
    const m = await C.send(sock.a, chat._id, text);
    assert.equal(m.content, text);
  });

  test('sends of one socket are stored and delivered in order', async (t) => {
    const { chat, sock, b } = await room(t);
    const n = 20;
    const acks = [];
    for (let i = 0; i < n; i += 1) acks.push(C.sendMessage(sock.a, chat._id, `seq ${i}`));
    (await Promise.all(acks)).forEach((ack) => C.assertOk(ack));
    await sock.b.rec.waitFor('message:received', (p) => p.content === `seq ${n - 1}`);
    const got = sock.b.rec.payloads('message:received').map((m) => m.content);
    assert.deepEqual(got, Array.from({ length: n }, (_, i) => `seq ${i}`));
    const h = await C.history(S(), b, chat._id);
    assert.deepEqual(h.messages.map((m) => m.content), got);
  });
});

describe('message:markRead', () => {
  test('message:read to the room; readBy stored; unreadCount drops', async (t) => {
    const { b, chat, sock } = await room(t);
    const m1 = await C.send(sock.a, chat._id, 'one');
    const m2 = await C.send(sock.a, chat._id, 'two');
    const unread = async () => (await C.api(S(), 'GET', '/api/chats', { token: b.token })).json.find((ch) => ch._id === chat._id).unreadCount;
    assert.equal(await unread(), 2);

    const fa = sock.a.rec.mark();
    const fb = sock.b.rec.mark();
    C.assertOk(await C.emitAck(sock.b, 'message:markRead', { messageId: m1._id, chatId: chat._id }), 'markRead');
    const read = await sock.a.rec.waitFor('message:read', isChat(chat._id), { from: fa });
    C.assertKeys(read, ['messageId', 'chatId', 'userId', 'readAt'], 'message:read');
    assert.equal(read.messageId, m1._id);
    assert.equal(read.chatId, chat._id);
    assert.equal(read.userId, b.id);
    C.assertIso(read.readAt, 'readAt');
    assert.deepEqual(await sock.b.rec.waitFor('message:read', isChat(chat._id), { from: fb }), read);
    assert.equal(await unread(), 1, 'unreadCount after reading the first of two');
    const stored = (await C.history(S(), b, chat._id)).messages.find((m) => m._id === m1._id);
    assert.deepEqual(stored.readBy, [{ userId: b.id, readAt: read.readAt }]);

    C.assertOk(await C.emitAck(sock.b, 'message:markRead', { messageId: m2._id, chatId: chat._id }));
    await sock.a.rec.waitFor('message:read', (p) => p.messageId === m2._id);
    assert.equal(await unread(), 0);
    // Marking again changes nothing stored (one readBy entry per user).
    C.assertOk(await C.emitAck(sock.b, 'message:markRead', { messageId: m1._id, chatId: chat._id }), 'markRead again');
    const again = (await C.history(S(), b, chat._id)).messages.find((m) => m._id === m1._id);
    assert.equal(again.readBy.filter((r) => r.userId === b.id).length, 1, JSON.stringify(again.readBy));
  });
});

describe('message:edit', () => {
  test('the sender edits: message:edited to the room; history shows it edited', async (t) => {
    const { b, chat, sock } = await room(t);
    const m = await C.send(sock.a, chat._id, 'before');
    const fb = sock.b.rec.mark();
    const fa = sock.a.rec.mark();
    C.assertOk(await C.emitAck(sock.a, 'message:edit', { messageId: m._id, chatId: chat._id, content: 'after' }), 'edit');
    const ev = await sock.b.rec.waitFor('message:edited', isChat(chat._id), { from: fb });
    C.assertKeys(ev, ['messageId', 'chatId', 'content', 'editedAt'], 'message:edited');
    assert.equal(ev.messageId, m._id);
    assert.equal(ev.content, 'after');
    C.assertIso(ev.editedAt, 'editedAt');
    assert.deepEqual(await sock.a.rec.waitFor('message:edited', isChat(chat._id), { from: fa }), ev);
    const stored = (await C.history(S(), b, chat._id)).messages[0];
    assert.equal(stored._id, m._id);
    assert.equal(stored.content, 'after');
    assert.equal(stored.isEdited, true);
    assert.equal(stored.editedAt, ev.editedAt);
    assert.equal(stored.createdAt, m.createdAt);
    const listed = (await C.api(S(), 'GET', '/api/chats', { token: b.token })).json.find((ch) => ch._id === chat._id);
    assert.equal(listed.lastMessage.content, 'after', 'lastMessage does not show the edit');
    assert.equal(listed.lastMessage.isEdited, true);
  });

  test('another member editing gets error FORBIDDEN (sender only); nothing changes', async (t) => {
    const { b, chat, sock } = await room(t);
    const m = await C.send(sock.a, chat._id, 'mine');
    const fa = sock.a.rec.mark();
    const fb = sock.b.rec.mark();
    const ack = await C.emitAck(sock.b, 'message:edit', { messageId: m._id, chatId: chat._id, content: 'hijacked' });
    C.assertAckError(ack, 'FORBIDDEN', 'edit of another user message');
    C.assertErrorEvent(await sock.b.rec.waitError('message:edit', { from: fb }), 'message:edit', 'FORBIDDEN');
    await C.quiet();
    assert.deepEqual(sock.a.rec.since(fa).map((e) => e.event), [], 'the room heard of a refused edit');
    assert.equal((await C.history(S(), b, chat._id)).messages[0].content, 'mine');
  });
});

describe('message:delete', () => {
  test('the sender deletes: message:deleted to the room; content empty, isDeleted true; edit refused after', async (t) => {
    const { b, chat, sock } = await room(t);
    const m = await C.send(sock.a, chat._id, 'to delete');
    const fb = sock.b.rec.mark();
    const fa = sock.a.rec.mark();
    C.assertOk(await C.emitAck(sock.a, 'message:delete', { messageId: m._id, chatId: chat._id }), 'delete');
    const ev = await sock.b.rec.waitFor('message:deleted', isChat(chat._id), { from: fb });
    assert.deepEqual(ev, { messageId: m._id, chatId: chat._id });
    assert.deepEqual(await sock.a.rec.waitFor('message:deleted', isChat(chat._id), { from: fa }), ev);
    const stored = (await C.history(S(), b, chat._id)).messages;
    assert.equal(stored.length, 1, 'the deleted message must stay in history');
    C.assertMessage(stored[0]);
    assert.equal(stored[0]._id, m._id);
    assert.equal(stored[0].content, '');
    assert.equal(stored[0].isDeleted, true);
    C.assertIso(stored[0].deletedAt, 'deletedAt');
    assert.equal(stored[0].createdAt, m.createdAt);
    // The deleted content is gone from lastMessage too.
    const listed = (await C.api(S(), 'GET', '/api/chats', { token: b.token })).json.find((ch) => ch._id === chat._id);
    assert.equal(listed.lastMessage._id, m._id);
    assert.equal(listed.lastMessage.content, '');
    // Not editable any more.
    const fa2 = sock.a.rec.mark();
    const ack = await C.emitAck(sock.a, 'message:edit', { messageId: m._id, chatId: chat._id, content: 'revive' });
    C.assertAckError(ack, ['BAD_REQUEST', 'FORBIDDEN', 'NOT_FOUND'], 'edit of a deleted message');
    C.assertErrorEvent(await sock.a.rec.waitError('message:edit', { from: fa2 }), 'message:edit');
    assert.equal((await C.history(S(), b, chat._id)).messages[0].content, '');
  });

  test('a group admin deletes a member message', async (t) => {
    const { b, chat, sock } = await room(t);
    const m = await C.send(sock.b, chat._id, 'member says');
    C.assertOk(await C.emitAck(sock.a, 'message:delete', { messageId: m._id, chatId: chat._id }), 'admin delete');
    await sock.b.rec.waitFor('message:deleted', (p) => p.messageId === m._id);
    assert.equal((await C.history(S(), b, chat._id)).messages[0].isDeleted, true);
  });

  test("a member deleting another's message gets FORBIDDEN (also the admin's); nothing changes", async (t) => {
    const { c, chat, sock } = await room(t, { joined: ['a', 'b', 'c'] });
    const mc = await C.send(sock.c, chat._id, 'c says');
    const ma = await C.send(sock.a, chat._id, 'admin says');
    for (const k of ['b', 'c']) await sock[k].rec.waitFor('message:received', (p) => p._id === ma._id);
    for (const m of [mc, ma]) {
      const fb = sock.b.rec.mark();
      const fc = sock.c.rec.mark();
      const ack = await C.emitAck(sock.b, 'message:delete', { messageId: m._id, chatId: chat._id });
      C.assertAckError(ack, 'FORBIDDEN', `member deletes ${m.content}`);
      C.assertErrorEvent(await sock.b.rec.waitError('message:delete', { from: fb }), 'message:delete', 'FORBIDDEN');
      await C.quiet(150);
      assert.deepEqual(sock.c.rec.since(fc).map((e) => e.event), []);
    }
    const h = await C.history(S(), c, chat._id);
    assert.deepEqual(h.messages.map((m) => [m.content, m.isDeleted]), [['c says', false], ['admin says', false]]);
  });

  test('in a direct chat only the sender deletes', async (t) => {
    const { b, chat, sock } = await room(t, { type: 'direct' });
    const m = await C.send(sock.a, chat._id, 'direct');
    C.assertAckError(await C.emitAck(sock.b, 'message:delete', { messageId: m._id, chatId: chat._id }), 'FORBIDDEN');
    assert.equal((await C.history(S(), b, chat._id)).messages[0].isDeleted, false);
  });
});

describe('chat:typing / chat:stopTyping', () => {
  test('user:typing and user:stoppedTyping go to the others in the room, not the sender', async (t) => {
    const { a, b, chat, sock } = await room(t);
    const b2 = await C.connectSocket(t, S(), b.token, { name: 'b2' });
    await C.join(b2, chat._id);
    const fa = sock.a.rec.mark();
    C.assertOk(await C.emitAck(sock.a, 'chat:typing', { chatId: chat._id }), 'chat:typing');
    const typing = await sock.b.rec.waitFor('user:typing', isChat(chat._id));
    C.assertKeys(typing, ['userId', 'username', 'chatId'], 'user:typing');
    assert.deepEqual(typing, { userId: a.id, username: a.username, chatId: chat._id });
    assert.deepEqual(await b2.rec.waitFor('user:typing', isChat(chat._id)), typing);

    C.assertOk(await C.emitAck(sock.a, 'chat:stopTyping', { chatId: chat._id }), 'chat:stopTyping');
    const stopped = await sock.b.rec.waitFor('user:stoppedTyping', isChat(chat._id));
    C.assertKeys(stopped, ['userId', 'chatId'], 'user:stoppedTyping');
    assert.deepEqual(stopped, { userId: a.id, chatId: chat._id });
    await b2.rec.waitFor('user:stoppedTyping', isChat(chat._id));
    await C.quiet();
    assert.deepEqual(sock.a.rec.since(fa, 'user:typing'), [], 'the typer got its own user:typing');
    assert.deepEqual(sock.a.rec.since(fa, 'user:stoppedTyping'), [], 'the typer got its own user:stoppedTyping');
    // Typing stores nothing.
    assert.deepEqual((await C.history(S(), b, chat._id)).messages, []);
  });
});

describe('message:reaction', () => {
  test('toggles: message:reactionUpdated with the full reactions list; a second toggle removes', async (t) => {
    const { a, b, chat, sock } = await room(t);
    const m = await C.send(sock.a, chat._id, 'react to me');
    const react = async (s, emoji) => {
      const fa = sock.a.rec.mark();
      C.assertOk(await C.emitAck(s, 'message:reaction', { messageId: m._id, chatId: chat._id, emoji }), `reaction ${emoji}`);
      const ev = await sock.a.rec.waitFor('message:reactionUpdated', isChat(chat._id), { from: fa });
      C.assertKeys(ev, ['messageId', 'chatId', 'reactions'], 'message:reactionUpdated');
      assert.equal(ev.messageId, m._id);
      return ev.reactions;
    };
    const fb = sock.b.rec.mark();
    assert.deepEqual(await react(sock.b, '👍'), [{ userId: b.id, emoji: '👍' }]);
    await sock.b.rec.waitFor('message:reactionUpdated', isChat(chat._id), { from: fb }); // the reactor hears it too
    // Listed in the order they were made, as appended to the message.
    assert.deepEqual(await react(sock.a, '❤️'), [{ userId: b.id, emoji: '👍' }, { userId: a.id, emoji: '❤️' }]);
    // b adds a second, different emoji: kept separately.
    assert.equal((await react(sock.b, '🎉')).length, 3);
    // b toggles 👍 off.
    const after = await react(sock.b, '👍');
    assert.deepEqual(after, [{ userId: a.id, emoji: '❤️' }, { userId: b.id, emoji: '🎉' }]);
    const stored = (await C.history(S(), b, chat._id)).messages[0];
    assert.deepEqual(stored.reactions, after);
  });

  test('reactions and readBy are listed in the order they were made, not by user id', async (t) => {
    const { b, c, chat, sock } = await room(t, { joined: ['a', 'b', 'c'] });
    const m = await C.send(sock.a, chat._id, 'order');
    // The user with the greater id goes first: a list sorted by user would put it last.
    const [first, second] = b.id > c.id ? ['b', 'c'] : ['c', 'b'];
    const ids = { b: b.id, c: c.id };
    const ref = { messageId: m._id, chatId: chat._id };
    C.assertOk(await C.emitAck(sock[first], 'message:reaction', { ...ref, emoji: '👍' }));
    C.assertOk(await C.emitAck(sock[second], 'message:reaction', { ...ref, emoji: '👍' }));
    C.assertOk(await C.emitAck(sock[first], 'message:markRead', ref));
    C.assertOk(await C.emitAck(sock[second], 'message:markRead', ref));
    const stored = (await C.history(S(), b, chat._id)).messages[0];
    assert.deepEqual(stored.reactions.map((r) => r.userId), [ids[first], ids[second]]);
    assert.deepEqual(stored.readBy.map((r) => r.userId), [ids[first], ids[second]]);
  });

  test('one user may put at most 20 emojis on a message: the 21st is BAD_REQUEST and changes nothing', async (t) => {
    const { a, chat, sock } = await room(t);
    const m = await C.send(sock.a, chat._id, 'many reactions');
    const react = (emoji) => C.emitAck(sock.b, 'message:reaction', { messageId: m._id, chatId: chat._id, emoji });
    for (let i = 0; i < 20; i += 1) C.assertOk(await react(`e${i}`), `reaction ${i}`);
    C.assertAckError(await react('one-too-many'), 'BAD_REQUEST');
    assert.equal((await C.history(S(), a, chat._id)).messages[0].reactions.length, 20);
    C.assertOk(await react('e0'), 'toggling one off');
    C.assertOk(await react('now-fits'), 'a new one once there is room');
  });

  test('an emoji of exactly 32 bytes is accepted', async (t) => {
    const { chat, sock } = await room(t);
    const m = await C.send(sock.a, chat._id, 'big emoji');
    const emoji = '😀'.repeat(8);
    assert.equal(Buffer.byteLength(emoji), 32);
    C.assertOk(await C.emitAck(sock.b, 'message:reaction', { messageId: m._id, chatId: chat._id, emoji }), '32-byte emoji');
    const ev = await sock.a.rec.waitFor('message:reactionUpdated', (p) => p.messageId === m._id);
    assert.equal(ev.reactions[0].emoji, emoji);
  });
});

describe('acks', () => {
  test('every event works without an ack too (events only)', async (t) => {
    const { chat, sock, a } = await room(t);
    const a2 = await C.connectSocket(t, S(), a.token);
    a2.emit('chat:join', { chatId: chat._id });
    await a2.rec.waitFor('chat:activeUsers', isChat(chat._id));
    sock.b.emit('message:send', { chatId: chat._id, content: 'no ack', messageType: 'text', attachments: [], replyTo: null });
    const m = await sock.a.rec.waitFor('message:received', (p) => p.content === 'no ack');
    await sock.b.rec.waitFor('message:sent', (p) => p.messageId === m._id);
    sock.a.emit('message:reaction', { messageId: m._id, chatId: chat._id, emoji: '👀' });
    await sock.b.rec.waitFor('message:reactionUpdated', (p) => p.messageId === m._id);
  });

  test('a successful event acks {ok:true, ...}; a rejected one acks {ok:false, error:{code, message}} and also emits error', async (t) => {
    const { chat, sock } = await room(t);
    const ok = await C.emitAck(sock.a, 'chat:typing', { chatId: chat._id });
    C.assertOk(ok);
    const from = sock.a.rec.mark();
    const bad = await C.emitAck(sock.a, 'chat:typing', { chatId: 'nope' });
    C.assertAckError(bad, ['BAD_REQUEST', 'NOT_FOUND']);
    assert.deepEqual(Object.keys(bad).sort(), ['error', 'ok']);
    assert.deepEqual(Object.keys(bad.error).sort(), ['code', 'message']);
    const ev = await sock.a.rec.waitError('chat:typing', { from });
    C.assertErrorEvent(ev, 'chat:typing', bad.error.code);
    assert.equal(sock.a.rec.since(from, 'error').length, 1, 'error emitted more than once');
  });
});
