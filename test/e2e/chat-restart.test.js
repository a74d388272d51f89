'use strict';
// Persistence across restarts: stop confab (SIGTERM, then also SIGKILL) and start it again on
// the same data dir; accounts, tokens (the generated secret is kept in the data dir), chats,
// history, read marks, reactions, edits, deletions and clientMessageId dedup are all still there.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const C = require('./lib/confab');

const dataDir = C.makeDataDir();
let server;
after(async () => {
  if (server) await server.stop();
  C.removeDir(dataDir);
});

// No --jwt-secret: the server generates one and keeps it in the data dir.
const start = () => C.startServer({ dataDir, secret: null });

let a;
let b;
let group;
let direct;
let sentId;
let cmid;
let beforeStop = {};

test('first run: accounts, chats, messages, edits, deletion, reactions, read marks', async () => {
  server = await start();
  [a, b] = await Promise.all([C.register(server, 'sa'), C.register(server, 'sb')]);
  group = await C.createChat(server, a, { participants: [b], name: 'persisted group' });
  direct = (await C.api(server, 'POST', '/api/chats', { token: a.token, body: { type: 'direct', participantIds: [b.id] } })).json;
  const sa = await C.connectSocket(null, server, a.token, { name: 'a' });
  const sb = await C.connectSocket(null, server, b.token, { name: 'b' });
  await C.join(sa, group._id);
  await C.join(sb, group._id);
  cmid = C.clientMessageId();
  const m1 = await C.send(sa, group._id, 'first', { clientMessageId: cmid });
  sentId = m1._id;
  const m2 = await C.send(sb, group._id, 'second');
  const m3 = await C.send(sa, group._id, 'third, to be edited');
  const m4 = await C.send(sa, group._id, 'fourth, to be deleted');
  await C.send(sb, group._id, 'fifth, unread by a');
  C.assertOk(await C.emitAck(sb, 'message:markRead', { messageId: m1._id, chatId: group._id }));
  C.assertOk(await C.emitAck(sb, 'message:reaction', { messageId: m2._id, chatId: group._id, emoji: '🎉' }));
  C.assertOk(await C.emitAck(sa, 'message:edit', { messageId: m3._id, chatId: group._id, content: 'third, edited' }));
  C.assertOk(await C.emitAck(sa, 'message:delete', { messageId: m4._id, chatId: group._id }));
  await C.post(sb, direct._id, 'direct hello');
  await sa.rec.waitFor('message:deleted', (p) => p.messageId === m4._id);
  sb.disconnect();
  // a stays connected (online) through the stop.
  assert.equal((await C.api(server, 'GET', '/api/users/me', { token: a.token })).json.status, 'online');
  beforeStop = {
    history: await C.history(server, a, group._id, '?limit=100'),
    directHistory: await C.history(server, b, direct._id),
    chatsA: (await C.api(server, 'GET', '/api/chats', { token: a.token })).json,
    chatsB: (await C.api(server, 'GET', '/api/chats', { token: b.token })).json,
  };
  assert.equal(beforeStop.history.messages.length, 5);

  const disconnected = new Promise((resolve) => sa.once('disconnect', resolve));
  const res = await server.stop();
  assert.equal(res.killed, false, `no exit within 5 s of SIGTERM\n${server.logs()}`);
  assert.equal(res.code, 0, `exit ${res.code}/${res.signal} on SIGTERM\n${server.logs()}`);
  await C.sleep(10);
  await Promise.race([disconnected, C.sleep(2000).then(() => assert.fail('the connected socket did not see the server go'))]);
  sa.disconnect();
});

test('second run: the old token works (secret kept), login works', async () => {
  server = await start();
  const meA = await C.api(server, 'GET', '/api/users/me', { token: a.token });
  assert.equal(meA.status, 200, `old token refused after restart: ${meA.text}`);
  assert.equal(meA.json._id, a.id);
  for (const body of [{ username: b.username, password: b.password }, { email: b.email, password: b.password }]) {
    const login = await C.api(server, 'POST', '/api/auth/login', { body });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.json.user._id, b.id);
  }
  C.assertApiError(await C.api(server, 'POST', '/api/auth/login', { body: { username: b.username, password: 'wrong-password' } }), 401);
});

test('second run: a user connected at the stop is offline after the restart', async () => {
  const meA = await C.api(server, 'GET', '/api/users/me', { token: a.token });
  assert.equal(meA.json.status, 'offline', 'status still online with no socket after a restart');
});

test('second run: chats and history are identical', async () => {
  const chatsA = (await C.api(server, 'GET', '/api/chats', { token: a.token })).json;
  const chatsB = (await C.api(server, 'GET', '/api/chats', { token: b.token })).json;
  assert.deepEqual(chatsA, beforeStop.chatsA);
  assert.deepEqual(chatsB, beforeStop.chatsB);
  assert.deepEqual(await C.history(server, a, group._id, '?limit=100'), beforeStop.history);
  assert.deepEqual(await C.history(server, b, direct._id), beforeStop.directHistory);
  const h = beforeStop.history.messages;
  assert.deepEqual(h.map((m) => m.content), ['first', 'second', 'third, edited', '', 'fifth, unread by a']);
  assert.equal(h[0].readBy.length, 1);
  assert.deepEqual(h[1].reactions, [{ userId: b.id, emoji: '🎉' }]);
  assert.equal(h[2].isEdited, true);
  assert.equal(h[3].isDeleted, true);
  assert.equal(chatsA.find((c) => c._id === group._id).unreadCount, 2, "a's unread: second and fifth");
});

test('second run: uniqueness, direct-chat dedup and clientMessageId dedup survive', async (t) => {
  C.assertApiError(
    await C.api(server, 'POST', '/api/auth/register', { body: { username: a.username.toUpperCase(), email: 'new@example.com', password: C.PASSWORD } }),
    409,
  );
  const again = await C.api(server, 'POST', '/api/chats', { token: b.token, body: { type: 'direct', participantIds: [a.id] } });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json._id, direct._id);
  const sa = await C.connectSocket(t, server, a.token, { name: 'a' });
  const sent = await C.post(sa, group._id, 'first', { clientMessageId: cmid });
  assert.equal(sent.messageId, sentId, 'a repeated clientMessageId after a restart made a new message');
  assert.equal((await C.history(server, a, group._id, '?limit=100')).messages.length, 5);
  // New ids still sort after the old ones.
  const fresh = await C.post(sa, group._id, 'after restart');
  assert.ok(fresh.messageId > beforeStop.history.messages[4]._id, `${fresh.messageId} does not sort after the old ids`);
  const fresher = await C.register(server, 'sc');
  assert.ok(fresher.id > b.id);
});

test('SIGKILL right after the acks: every acknowledged message survives (durability sync)', async (t) => {
  const sa = await C.connectSocket(t, server, a.token, { name: 'a' });
  const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => C.sendMessage(sa, group._id, `acked ${i}`)));
  acks.forEach((x) => C.assertOk(x, 'send before the kill'));
  await server.kill();
  server = await start();
  const h = await C.history(server, a, group._id, '?limit=100');
  const contents = h.messages.map((m) => m.content);
  for (let i = 0; i < 40; i += 1) assert.ok(contents.includes(`acked ${i}`), `acknowledged message ${i} lost after SIGKILL`);
  assert.equal(contents.filter((c) => c.startsWith('acked ')).length, 40);
  // a was connected at the kill, and nobody is now.
  const meA = await C.api(server, 'GET', '/api/users/me', { token: a.token });
  assert.equal(meA.json.status, 'offline', 'a user connected at the kill is still online after the restart');
});

test('SIGTERM in the middle of a stream of sends: it exits 0 and every acknowledged message survives', async (t) => {
  const sa = await C.connectSocket(t, server, a.token, { name: 'a', transports: ['websocket'] });
  const acked = [];
  const pending = [];
  for (let i = 0; i < 60; i += 1) {
    pending.push(
      C.sendMessage(sa, group._id, `inflight ${i}`).then(
        (ack) => ack && ack.ok && acked.push(`inflight ${i}`),
        () => {},
      ),
    );
  }
  // Stop once the first acks are in, with sends still in flight.
  const t0 = Date.now();
  while (acked.length < 5 && Date.now() - t0 < 3000) await C.sleep(2);
  const res = await server.stop();
  assert.equal(res.killed, false, 'no exit within 5 s of SIGTERM during sends');
  assert.equal(res.code, 0, `exit ${res.code}/${res.signal}\n${server.logs()}`);
  await Promise.all(pending);
  assert.ok(acked.length >= 5, `only ${acked.length} acks before the stop`);
  t.diagnostic(`${acked.length} of 60 sends acknowledged across the stop`);
  server = await start();
  const contents = new Set();
  let before = '';
  for (;;) {
    const h = await C.history(server, a, group._id, `?limit=100${before ? `&before=${before}` : ''}`);
    h.messages.forEach((m) => contents.add(m.content));
    if (!h.hasMore) break;
    before = h.messages[0]._id;
  }
  const lost = acked.filter((c) => !contents.has(c));
  t.diagnostic(`${[...contents].filter((c) => c.startsWith('inflight ')).length} of 60 stored`);
  assert.deepEqual(lost, [], `acknowledged messages lost over a SIGTERM (${acked.length} acked)`);
});

test('the restarted server stops cleanly too', async () => {
  const res = await server.stop();
  assert.equal(res.code, 0, `exit ${res.code}/${res.signal}\n${server.logs()}`);
  server = null;
});
