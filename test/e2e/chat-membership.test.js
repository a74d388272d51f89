'use strict';
// Participants changed over REST and the sockets' rooms: a removed user's sockets leave the
// chat's room at once (API.md: "A socket only joins rooms of chats whose participant its user
// is"); an added user can join.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const C = require('./lib/confab');

const srv = C.useServer();
const S = () => srv.server;
const isChat = (chatId) => (p) => p && p.chatId === chatId;

// a (admin), b, c in a group; a, c and two sockets of b joined.
async function setup(t) {
  const [a, b, c] = await Promise.all([C.register(S(), 'ma'), C.register(S(), 'mb'), C.register(S(), 'mc')]);
  const chat = await C.createChat(S(), a, { participants: [b, c] });
  const sa = await C.connectSocket(t, S(), a.token, { name: 'a' });
  const sb1 = await C.connectSocket(t, S(), b.token, { name: 'b1' });
  const sb2 = await C.connectSocket(t, S(), b.token, { name: 'b2', transports: ['websocket'] });
  const sc = await C.connectSocket(t, S(), c.token, { name: 'c' });
  for (const s of [sa, sb1, sb2, sc]) await C.join(s, chat._id);
  for (const s of [sa, sb1, sb2, sc]) await s.rec.waitFor('chat:activeUsers', (p) => p.chatId === chat._id && p.count === 3);
  // Both of b's sockets hear the room before the removal.
  const m = await C.send(sa, chat._id, 'before removal');
  await sb1.rec.waitFor('message:received', (p) => p._id === m._id);
  await sb2.rec.waitFor('message:received', (p) => p._id === m._id);
  await sc.rec.waitFor('message:received', (p) => p._id === m._id);
  return { a, b, c, chat, sa, sb1, sb2, sc };
}

// Everything a room can hear happens; the removed sockets `gone` must hear none of it.
async function assertDeaf(chat, talkers, listener, gone) {
  const marks = gone.map((s) => s.rec.mark());
  const [sa] = talkers;
  const m = await C.send(sa, chat._id, 'after removal');
  C.assertOk(await C.emitAck(sa, 'chat:typing', { chatId: chat._id }));
  C.assertOk(await C.emitAck(sa, 'message:reaction', { messageId: m._id, chatId: chat._id, emoji: '👍' }));
  C.assertOk(await C.emitAck(sa, 'message:edit', { messageId: m._id, chatId: chat._id, content: 'after removal, edited' }));
  await listener.rec.waitFor('message:edited', (p) => p.messageId === m._id);
  await listener.rec.waitFor('user:typing', isChat(chat._id));
  await C.quiet();
  gone.forEach((s, i) => {
    const got = s.rec.since(marks[i]).filter((e) => !e.event.startsWith('user:o') && e.event !== 'error');
    assert.deepEqual(got.map((e) => `${e.event} ${JSON.stringify(e.args).slice(0, 120)}`), [], `${s.rec.name} still hears the chat after its removal`);
  });
}

test('an admin removes b over REST: both of b’s sockets stop hearing the room at once', async (t) => {
  const { b, chat, sa, sb1, sb2, sc, a } = await setup(t);
  const res = await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${b.id}`, { token: a.token });
  assert.equal(res.status, 200, res.text);
  await assertDeaf(chat, [sa], sc, [sb1, sb2]);
});

test('b leaves over REST (removes itself): same', async (t) => {
  const { b, chat, sa, sb1, sb2, sc } = await setup(t);
  const res = await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${b.id}`, { token: b.token });
  assert.equal(res.status, 200, res.text);
  await assertDeaf(chat, [sa], sc, [sb1, sb2]);
});

test('after removal b is refused on every event of the chat (FORBIDDEN) and cannot rejoin', async (t) => {
  const { a, b, chat, sa, sb1, sc } = await setup(t);
  const m = await C.send(sa, chat._id, 'target');
  await sc.rec.waitFor('message:received', (p) => p._id === m._id);
  assert.equal((await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${b.id}`, { token: a.token })).status, 200);
  await C.quiet(200); // (the room may hear user:left / chat:activeUsers for the removal)
  const tries = [
    ['chat:join', { chatId: chat._id }],
    ['message:send', { chatId: chat._id, content: 'still here?' }],
    ['chat:typing', { chatId: chat._id }],
    ['message:markRead', { messageId: m._id, chatId: chat._id }],
    ['message:reaction', { messageId: m._id, chatId: chat._id, emoji: '👎' }],
  ];
  const fc = sc.rec.mark();
  for (const [event, payload] of tries) {
    const from = sb1.rec.mark();
    C.assertAckError(await C.emitAck(sb1, event, payload), 'FORBIDDEN', `${event} after removal`);
    C.assertErrorEvent(await sb1.rec.waitError(event, { from }), event, 'FORBIDDEN');
  }
  await C.quiet();
  assert.deepEqual(sc.rec.since(fc).filter((e) => !e.event.startsWith('user:o')).map((e) => e.event), []);
  const h = await C.history(S(), a, chat._id);
  assert.ok(!h.messages.some((x) => x.content === 'still here?'));
  assert.ok(h.messages.every((x) => x.reactions.length === 0 && !x.readBy.some((r) => r.userId === b.id)));
});

test('the next chat:activeUsers no longer counts the removed user', async (t) => {
  const { a, b, chat, sa } = await setup(t);
  const d = await C.register(S(), 'md');
  assert.equal((await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${b.id}`, { token: a.token })).status, 200);
  assert.equal((await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, body: { userId: d.id } })).status, 200);
  const from = sa.rec.mark();
  const sd = await C.connectSocket(t, S(), d.token, { name: 'd' });
  await C.join(sd, chat._id);
  await sa.rec.waitFor('user:joined', (p) => p.userId === d.id, { from });
  const count = await sa.rec.waitFor('chat:activeUsers', isChat(chat._id), { from });
  assert.deepEqual(count, { chatId: chat._id, count: 3 }, 'a, c, d are in the room; b was removed');
});

test('an added user can join at once and hears the room; re-added b can join again', async (t) => {
  const { a, b, chat, sa, sb1 } = await setup(t);
  const d = await C.register(S(), 'md');
  const sd = await C.connectSocket(t, S(), d.token, { name: 'd' });
  C.assertAckError(await C.emitAck(sd, 'chat:join', { chatId: chat._id }), 'FORBIDDEN', 'join before being added');
  assert.equal((await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, body: { userId: d.id } })).status, 200);
  await C.join(sd, chat._id);
  const m = await C.send(sa, chat._id, 'welcome d');
  await sd.rec.waitFor('message:received', (p) => p._id === m._id);
  // b removed then added back: a fresh chat:join works.
  assert.equal((await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${b.id}`, { token: a.token })).status, 200);
  assert.equal((await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, body: { userId: b.id } })).status, 200);
  await C.join(sb1, chat._id);
  const m2 = await C.send(sa, chat._id, 'welcome back b');
  await sb1.rec.waitFor('message:received', (p) => p._id === m2._id);
});

test('removing a user from one chat keeps its sockets in its other chats', async (t) => {
  const { a, b, chat, sa, sb1 } = await setup(t);
  const other = await C.createChat(S(), a, { participants: [b] });
  await C.join(sb1, other._id);
  await C.join(sa, other._id);
  assert.equal((await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${b.id}`, { token: a.token })).status, 200);
  const m = await C.send(sa, other._id, 'still friends');
  await sb1.rec.waitFor('message:received', (p) => p._id === m._id);
});
