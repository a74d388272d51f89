'use strict';
// Races between clients: the uniqueness and dedup rules of API.md must hold when the requests
// arrive at the same time, and concurrent updates of one object must not lose each other.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const C = require('./lib/confab');

const srv = C.useServer({ extraArgs: ['--rate-limit-per-sec', '1000', '--rate-limit-burst', '1000'] });
const S = () => srv.server;

test('10 concurrent registrations of one username (in different cases): exactly one 201, the rest 409', async () => {
  const name = C.uniqueName('race');
  const res = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      C.api(S(), 'POST', '/api/auth/register', {
        body: { username: i % 2 ? name.toUpperCase() : name, email: `${name}${i}@example.com`, password: C.PASSWORD },
      }),
    ),
  );
  assert.deepEqual(res.map((r) => r.status).sort(), [201, ...Array(9).fill(409)], res.map((r) => `${r.status}`).join(' '));
});

test('10 concurrent registrations of one email: exactly one 201', async () => {
  const email = `${C.uniqueName('mail')}@example.com`;
  const res = await Promise.all(
    Array.from({ length: 10 }, () => C.api(S(), 'POST', '/api/auth/register', { body: { username: C.uniqueName('m'), email, password: C.PASSWORD } })),
  );
  assert.deepEqual(res.map((r) => r.status).sort(), [201, ...Array(9).fill(409)]);
});

test('10 concurrent direct-chat creations between the same two users (both sides): one chat', async () => {
  const [a, b] = await Promise.all([C.register(S(), 'da'), C.register(S(), 'db')]);
  const res = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      C.api(S(), 'POST', '/api/chats', { token: (i % 2 ? a : b).token, body: { type: 'direct', participantIds: [(i % 2 ? b : a).id] } }),
    ),
  );
  const statuses = res.map((r) => r.status);
  assert.deepEqual(statuses.sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 201], statuses.join(' '));
  assert.equal(new Set(res.map((r) => r.json._id)).size, 1, 'several direct chats for one pair');
  const list = (await C.api(S(), 'GET', '/api/chats', { token: a.token })).json;
  assert.equal(list.filter((ch) => ch.type === 'direct').length, 1);
});

test('one clientMessageId sent from 3 sockets of the same user at once: one message', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'ca'), C.register(S(), 'cb')]);
  const chat = await C.createChat(S(), a, { participants: [b] });
  const socks = await Promise.all([0, 1, 2].map((i) => C.connectSocket(t, S(), a.token, { name: `a${i}`, transports: ['websocket'] })));
  const clientMessageId = C.clientMessageId();
  for (let round = 0; round < 3; round += 1) {
    const acks = await Promise.all(socks.map((s) => C.sendMessage(s, chat._id, 'only once', { clientMessageId })));
    acks.forEach((x) => C.assertOk(x));
  }
  const sent = await Promise.all(socks.map((s) => s.rec.waitFor('message:sent', (p) => p.clientMessageId === clientMessageId)));
  assert.equal(new Set(sent.map((p) => p.messageId)).size, 1, `different messageIds: ${JSON.stringify(sent)}`);
  const h = await C.history(S(), b, chat._id);
  assert.equal(h.messages.length, 1, `stored ${h.messages.length} messages for one clientMessageId`);
});

test('8 participants added by the admin at once: none lost', async () => {
  const a = await C.register(S(), 'pa');
  const chat = await C.createChat(S(), a, { participants: [] });
  const users = await Promise.all(Array.from({ length: 8 }, () => C.register(S(), 'pp')));
  const res = await Promise.all(users.map((u) => C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, body: { userId: u.id } })));
  res.forEach((r) => assert.equal(r.status, 200, r.text));
  const final = await C.chatOf(S(), a, chat._id);
  assert.deepEqual([...final.participants].sort(), [a.id, ...users.map((u) => u.id)].sort(), 'lost participants');
});

test('8 users mark one message read and react to it at once: no read mark or reaction lost', async (t) => {
  const a = await C.register(S(), 'ra');
  const users = await Promise.all(Array.from({ length: 8 }, () => C.register(S(), 'rr')));
  const chat = await C.createChat(S(), a, { participants: users });
  const sa = await C.connectSocket(t, S(), a.token, { name: 'a' });
  await C.join(sa, chat._id);
  const m = await C.send(sa, chat._id, 'read me');
  const socks = await Promise.all(users.map((u, i) => C.connectSocket(t, S(), u.token, { name: `u${i}`, transports: ['websocket'] })));
  const acks = await Promise.all(
    socks.flatMap((s) => [
      C.emitAck(s, 'message:markRead', { messageId: m._id, chatId: chat._id }),
      C.emitAck(s, 'message:reaction', { messageId: m._id, chatId: chat._id, emoji: '👍' }),
    ]),
  );
  acks.forEach((x) => C.assertOk(x));
  const stored = (await C.history(S(), a, chat._id)).messages[0];
  assert.deepEqual(stored.readBy.map((r) => r.userId).sort(), users.map((u) => u.id).sort(), 'lost read marks');
  assert.deepEqual(stored.reactions.map((r) => r.userId).sort(), users.map((u) => u.id).sort(), 'lost reactions');
  // The last message:reactionUpdated a saw carries the full list.
  await C.quiet(200);
  const updates = sa.rec.payloads('message:reactionUpdated');
  assert.equal(updates.length, 8);
  assert.ok(updates.some((u) => u.reactions.length === 8), 'no update with all 8 reactions');
});

test('an edit and a delete of one message at once: it ends deleted with empty content', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'ea'), C.register(S(), 'eb')]);
  const chat = await C.createChat(S(), a, { participants: [b] });
  const s1 = await C.connectSocket(t, S(), a.token, { name: 'a1' });
  const s2 = await C.connectSocket(t, S(), a.token, { name: 'a2', transports: ['websocket'] });
  for (let i = 0; i < 5; i += 1) {
    const m = await C.post(s1, chat._id, `race ${i}`);
    const [edit, del] = await Promise.all([
      C.emitAck(s1, 'message:edit', { messageId: m.messageId, chatId: chat._id, content: `edited ${i}` }),
      C.emitAck(s2, 'message:delete', { messageId: m.messageId, chatId: chat._id }),
    ]);
    C.assertOk(del, 'delete');
    assert.ok(edit.ok === true || edit.ok === false, JSON.stringify(edit));
    const stored = (await C.history(S(), a, chat._id)).messages.find((x) => x._id === m.messageId);
    assert.equal(stored.isDeleted, true);
    assert.equal(stored.content, '', `a deleted message kept content '${stored.content}' after a racing edit`);
  }
});

test('300 sends from one socket without waiting (rate raised to 1000/s): all stored, in order', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'pa'), C.register(S(), 'pb')]);
  const chat = await C.createChat(S(), a, { participants: [b] });
  const sock = await C.connectSocket(t, S(), a.token, { name: 'pipe', transports: ['websocket'] });
  const acks = await Promise.all(Array.from({ length: 300 }, (_, i) => C.sendMessage(sock, chat._id, `pipelined ${i}`)));
  acks.forEach((x) => C.assertOk(x));
  const stored = [];
  let before = null;
  for (;;) {
    const page = await C.history(S(), b, chat._id, `?limit=100${before ? `&before=${before}` : ''}`);
    stored.unshift(...page.messages.map((m) => m.content));
    if (!page.hasMore) break;
    before = page.messages[0]._id;
  }
  assert.deepEqual(stored, Array.from({ length: 300 }, (_, i) => `pipelined ${i}`));
});

test('6 members sending at once, 10 rounds: the room hears the messages in the order the history keeps', async (t) => {
  const users = await Promise.all(Array.from({ length: 7 }, (_, i) => C.register(S(), `ord${i}`)));
  const chat = await C.createChat(S(), users[0], { participants: users.slice(1) });
  const socks = await Promise.all(users.map((u, i) => C.connectSocket(t, S(), u.token, { name: `o${i}`, transports: ['websocket'] })));
  await Promise.all(socks.map((s) => C.join(s, chat._id)));
  const [watcher, ...senders] = socks;
  const live = [];
  watcher.on('message:received', (m) => live.push(m._id));
  for (let round = 0; round < 10; round += 1) {
    const acks = await Promise.all(senders.flatMap((s, i) => [0, 1, 2].map((k) => C.sendMessage(s, chat._id, `round ${round} from ${i} #${k}`))));
    acks.forEach((x) => C.assertOk(x));
  }
  for (let waited = 0; live.length < 180 && waited < 3000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.equal(live.length, 180);
  const stored = [];
  let before = null;
  for (;;) {
    const page = await C.history(S(), users[0], chat._id, `?limit=100${before ? `&before=${before}` : ''}`);
    stored.unshift(...page.messages.map((m) => m._id));
    if (!page.hasMore) break;
    before = page.messages[0]._id;
  }
  assert.deepEqual(live, stored);
});

test('what a socket sent just before it disconnected: each message stored reaches the room', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'ga'), C.register(S(), 'gb')]);
  const chat = await C.createChat(S(), a, { participants: [b] });
  const listener = await C.connectSocket(t, S(), b.token, { name: 'listener' });
  await C.join(listener, chat._id);
  for (let round = 0; round < 3; round += 1) {
    const sender = await C.connectSocket(t, S(), a.token, { name: `sender ${round}`, transports: ['websocket'] });
    await C.join(sender, chat._id);
    // The disconnect follows at once: the server reads it while it stores one of these. What
    // it had not begun to store is dropped, never acknowledged; what it stored must be told.
    for (let i = 0; i < 20; i += 1) sender.emit('message:send', { chatId: chat._id, content: `r${round} m${i}` });
    sender.disconnect();
  }
  await C.sleep(500);
  const stored = (await C.history(S(), b, chat._id)).messages.map((m) => m.content);
  assert.ok(stored.length >= 3, `stored ${stored.length}`);
  for (const content of stored) await listener.rec.waitFor('message:received', (p) => p.content === content);
});

// Sends 10 messages one after the other; resolves with each one's ack time in ms.
async function timedSends(sock, chatId, label) {
  const waits = [];
  for (let i = 0; i < 10; i += 1) {
    const started = Date.now();
    C.assertOk(await C.sendMessage(sock, chatId, `${label} ${i}`));
    waits.push(Date.now() - started);
  }
  return waits;
}

test('a flood of failed sign-ins is rationed: each gets 401 or 429, and the chat keeps answering', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'fa'), C.register(S(), 'fb')]);
  const chat = await C.createChat(S(), a, { participants: [b] });
  const sock = await C.connectSocket(t, S(), a.token, { name: 'flooded', transports: ['websocket'] });
  await C.join(sock, chat._id);
  const flood = Array.from({ length: 120 }, (_, i) =>
    C.api(S(), 'POST', '/api/auth/login', { body: { username: i % 2 ? a.username : 'nobody-here', password: 'wrong-password' } }));
  await C.sleep(50);
  const waits = await timedSends(sock, chat._id, 'during the flood');
  const statuses = (await Promise.all(flood)).map((r) => r.status);
  assert.ok(statuses.every((s) => s === 401 || s === 429), statuses.join(' '));
  assert.ok(statuses.includes(401), statuses.join(' '));
  // Unrationed, the hashes took every store thread and acks waited seconds behind them.
  assert.ok(Math.max(...waits) < 400, `acks took ${waits.join(' ')} ms`);
  t.diagnostic(`acks took ${waits.join(' ')} ms; sign-ins ${statuses.filter((s) => s === 429).length} x 429`);
});

test("one user's flood of REST reads does not hold another user's request behind it: users take turns", async (t) => {
  const [a, b, c] = await Promise.all([C.register(S(), 'fa'), C.register(S(), 'fb'), C.register(S(), 'fc')]);
  const chat = await C.createChat(S(), a, { participants: [b] });
  const sock = await C.connectSocket(t, S(), a.token, { name: 'writer', transports: ['websocket'] });
  await Promise.all(Array.from({ length: 100 }, (_, i) => C.sendMessage(sock, chat._id, `page ${i}`)));
  let done = 0;
  const flood = Array.from({ length: 600 }, () =>
    C.api(S(), 'GET', `/api/chats/${chat._id}/messages?limit=100`, { token: b.token }).then((r) => {
      done += 1;
      return r.status;
    }),
  );
  await C.sleep(30);
  const before = done;
  const mine = await C.api(S(), 'GET', '/api/users/me', { token: c.token });
  const overtook = done - before;
  assert.equal(mine.status, 200);
  const statuses = await Promise.all(flood);
  assert.ok(statuses.every((st) => st === 200), statuses.join(' '));
  assert.ok(before < 500, `the flood was served before the other request was sent (${before} of 600): nothing measured`);
  t.diagnostic(`${before} reads answered before the other request, ${overtook} while it waited`);
  // In arrival order it would wait for every read queued before it; taking turns, for a few.
  assert.ok(overtook < (600 - before) / 3, `${overtook} of the flood's ${600 - before} waiting reads were answered while the other user's one request waited`);
});

test('a flood of history reads waits its turn: the chat keeps answering, and so does /healthz', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'ha'), C.register(S(), 'hb')]);
  const chat = await C.createChat(S(), a, { participants: [b] });
  const sock = await C.connectSocket(t, S(), a.token, { name: 'reader', transports: ['websocket'] });
  await C.join(sock, chat._id);
  await Promise.all(Array.from({ length: 100 }, (_, i) => C.sendMessage(sock, chat._id, `history ${i}`)));
  const flood = Array.from({ length: 400 }, () =>
    C.api(S(), 'GET', `/api/chats/${chat._id}/messages?limit=100`, { token: b.token }));
  await C.sleep(20);
  const waits = await timedSends(sock, chat._id, 'during the reads');
  const healthStarted = Date.now();
  assert.equal((await C.api(S(), 'GET', '/healthz')).status, 200);
  const health = Date.now() - healthStarted;
  const statuses = (await Promise.all(flood)).map((r) => r.status);
  assert.ok(statuses.every((s) => s === 200 || s === 429), statuses.join(' '));
  t.diagnostic(`acks took ${waits.join(' ')} ms; /healthz ${health} ms; reads ${statuses.filter((s) => s === 429).length} x 429`);
  assert.ok(Math.max(...waits) < 400, `acks took ${waits.join(' ')} ms`);
  assert.ok(health < 400, `/healthz took ${health} ms`);
});
