// Smoke test of a server speaking shared/API.md: the reference server by default (started here
// on a free port and stopped at the end), or any running one with SMOKE_URL=http://host:port
// (confab too). Registers two users, creates a group chat, joins it from two sockets, sends,
// reads, reacts to, edits and deletes a message, and reads the history over REST.
// Ends with "N passed, M failed"; exits non-zero when anything failed.
//
//   cd bench/reference && npm ci && node smoke.mjs
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';

const TIMEOUT_MS = 3000;
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(err.stack || err).split('\n').slice(0, 4).join('\n     ')}`);
  }
}

async function startReference() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('server.js', import.meta.url))], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: 'smoke-test-secret' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  for await (const chunk of child.stdout) {
    out += chunk;
    const m = /listening on (\S+):(\d+)/.exec(out);
    if (m) return { child, url: `http://127.0.0.1:${m[2]}` };
  }
  throw new Error(`server exited before listening: ${out}`);
}

const server = process.env.SMOKE_URL ? { url: process.env.SMOKE_URL } : await startReference();
const { url } = server;

async function api(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

// Resolves with the next `event` on `socket` whose payload passes `filter`.
function next(socket, event, filter = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no ${event} within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    function on(payload) {
      if (!filter(payload)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve(payload);
    }
    socket.on(event, on);
  });
}

async function connect(token, opts = {}) {
  const socket = io(url, { auth: { token }, reconnection: false, forceNew: true, ...opts });
  const [outcome] = await Promise.race([
    once(socket, 'connect').then(() => ['connect']),
    once(socket, 'connect_error').then(([e]) => { throw e; }),
  ]);
  assert.equal(outcome, 'connect');
  return socket;
}

const tag = Math.random().toString(36).slice(2, 8);
const sockets = [];
let alice;
let bob;
let chat;
let sa;
let sb;
let message;

try {
  await check('GET /healthz', async () => {
    const res = await api('GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { status: 'ok' });
  });

  await check('register two users', async () => {
    const register = async (name) => {
      const res = await api('POST', '/api/auth/register', {
        body: { username: `${name}_${tag}`, email: `${name}_${tag}@example.com`, password: 'Secret-pass-123' },
      });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      assert.match(res.json.user._id, /^[0-9a-f]{24}$/);
      assert.equal(res.json.user.passwordHash, undefined);
      return { token: res.json.token, id: res.json.user._id, username: res.json.user.username };
    };
    alice = await register('alice');
    bob = await register('bob');
    const again = await api('POST', '/api/auth/register', {
      body: { username: `alice_${tag}`, email: `other_${tag}@example.com`, password: 'Secret-pass-123' },
    });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'CONFLICT');
  });

  await check('login, /users/me, search', async () => {
    const login = await api('POST', '/api/auth/login', { body: { email: `alice_${tag}@example.com`, password: 'Secret-pass-123' } });
    assert.equal(login.status, 200);
    assert.equal(login.json.user._id, alice.id);
    const wrong = await api('POST', '/api/auth/login', { body: { username: `alice_${tag}`, password: 'nope-nope' } });
    assert.equal(wrong.status, 401);
    const me = await api('GET', '/api/users/me', { token: alice.token });
    assert.equal(me.json.username, alice.username);
    assert.equal((await api('GET', '/api/users/me')).status, 401);
    const found = await api('GET', `/api/users?search=BOB_${tag}`, { token: alice.token });
    assert.deepEqual(found.json.map((u) => u._id), [bob.id]);
  });

  await check('create a group chat', async () => {
    const res = await api('POST', '/api/chats', { token: alice.token, body: { type: 'group', name: 'smoke', participantIds: [bob.id] } });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    chat = res.json;
    assert.deepEqual(new Set(chat.participants), new Set([alice.id, bob.id]));
    assert.deepEqual(chat.admins, [alice.id]);
    assert.equal(chat.lastMessage, null);
  });

  await check('connect (auth payload, polling upgrade; websocket only), presence', async () => {
    sa = await connect(alice.token);
    sockets.push(sa);
    const online = next(sa, 'user:online', (p) => p.userId === bob.id);
    sb = await connect(bob.token, { transports: ['websocket'] });
    sockets.push(sb);
    await online;
  });

  await check('bad token: CONNECT_ERROR "Authentication error"', async () => {
    await assert.rejects(connect('not-a-jwt'), (err) => err.message === 'Authentication error');
  });

  await check('both join the chat', async () => {
    const joined = next(sa, 'user:joined', (p) => p.userId === alice.id);
    const ackA = await sa.timeout(TIMEOUT_MS).emitWithAck('chat:join', { chatId: chat._id });
    assert.deepEqual(ackA, { ok: true, chatId: chat._id });
    assert.deepEqual(await joined, { userId: alice.id, chatId: chat._id });
    const active = next(sa, 'chat:activeUsers', (p) => p.count === 2);
    const ackB = await sb.timeout(TIMEOUT_MS).emitWithAck('chat:join', { chatId: chat._id });
    assert.equal(ackB.ok, true);
    assert.deepEqual(await active, { chatId: chat._id, count: 2 });
  });

  await check('typing reaches the others only', async () => {
    const typing = next(sb, 'user:typing');
    sa.emit('chat:typing', { chatId: chat._id });
    assert.deepEqual(await typing, { userId: alice.id, username: alice.username, chatId: chat._id });
  });

  await check('message:send -> message:received (both) and message:sent', async () => {
    const gotA = next(sa, 'message:received');
    const gotB = next(sb, 'message:received');
    const sent = next(sa, 'message:sent');
    const ack = await sa.timeout(TIMEOUT_MS).emitWithAck('message:send', {
      chatId: chat._id, content: 'hello bob', messageType: 'text', clientMessageId: `c-${tag}`,
    });
    const [a, b, s] = await Promise.all([gotA, gotB, sent]);
    message = b;
    assert.deepEqual(a, b);
    assert.equal(b.content, 'hello bob');
    assert.deepEqual(b.senderId, { _id: alice.id, username: alice.username });
    assert.equal(b.chatId, chat._id);
    assert.match(b.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(s, { messageId: b._id, chatId: chat._id, clientMessageId: `c-${tag}`, createdAt: b.createdAt });
    assert.deepEqual(ack, { ok: true, ...s });
  });

  await check('repeated clientMessageId: same message, nothing new', async () => {
    let extra = 0;
    const count = () => { extra += 1; };
    sb.on('message:received', count);
    const ack = await sa.timeout(TIMEOUT_MS).emitWithAck('message:send', { chatId: chat._id, content: 'hello again', clientMessageId: `c-${tag}` });
    assert.equal(ack.messageId, message._id);
    await new Promise((r) => setTimeout(r, 200));
    sb.off('message:received', count);
    assert.equal(extra, 0);
  });

  await check('unread count, markRead, reaction, edit', async () => {
    const before = await api('GET', `/api/chats/${chat._id}`, { token: bob.token });
    assert.equal(before.json.unreadCount, 1);
    assert.equal(before.json.lastMessage._id, message._id);
    const read = next(sa, 'message:read');
    const ack = await sb.timeout(TIMEOUT_MS).emitWithAck('message:markRead', { chatId: chat._id, messageId: message._id });
    assert.equal(ack.ok, true);
    assert.equal((await read).userId, bob.id);
    assert.equal((await api('GET', `/api/chats/${chat._id}`, { token: bob.token })).json.unreadCount, 0);

    const reacted = next(sa, 'message:reactionUpdated');
    sb.emit('message:reaction', { chatId: chat._id, messageId: message._id, emoji: '👍' });
    assert.deepEqual((await reacted).reactions, [{ userId: bob.id, emoji: '👍' }]);

    const edited = next(sb, 'message:edited');
    sa.emit('message:edit', { chatId: chat._id, messageId: message._id, content: 'hello, bob' });
    assert.equal((await edited).content, 'hello, bob');
  });

  await check('rejections: error event and failed ack', async () => {
    const error = next(sb, 'error');
    const ack = await sb.timeout(TIMEOUT_MS).emitWithAck('message:edit', { chatId: chat._id, messageId: message._id, content: 'mine now' });
    assert.equal(ack.ok, false);
    assert.equal(ack.error.code, 'FORBIDDEN');
    assert.deepEqual(await error, { message: ack.error.message, code: 'FORBIDDEN', event: 'message:edit' });
    const unknown = await sb.timeout(TIMEOUT_MS).emitWithAck('no:such', {});
    assert.equal(unknown.error.code, 'BAD_REQUEST');
    const bad = await sb.timeout(TIMEOUT_MS).emitWithAck('message:send', { chatId: chat._id, content: '' });
    assert.equal(bad.error.code, 'BAD_REQUEST');
  });

  await check('history over REST', async () => {
    await sa.timeout(TIMEOUT_MS).emitWithAck('message:send', { chatId: chat._id, content: 'second' });
    const res = await api('GET', `/api/chats/${chat._id}/messages?limit=1`, { token: bob.token });
    assert.equal(res.status, 200);
    assert.equal(res.json.hasMore, true);
    assert.deepEqual(res.json.messages.map((m) => m.content), ['second']);
    const older = await api('GET', `/api/chats/${chat._id}/messages?before=${res.json.messages[0]._id}`, { token: bob.token });
    assert.equal(older.json.hasMore, false);
    assert.equal(older.json.messages.length, 1);
    assert.equal(older.json.messages[0].content, 'hello, bob');
    assert.equal(older.json.messages[0].isEdited, true);
    assert.deepEqual(older.json.messages[0].readBy.map((r) => r.userId), [bob.id]);
  });

  await check('delete, then leave, then offline', async () => {
    const deleted = next(sb, 'message:deleted');
    sa.emit('message:delete', { chatId: chat._id, messageId: message._id });
    assert.deepEqual(await deleted, { messageId: message._id, chatId: chat._id });
    const left = next(sa, 'user:left');
    sb.emit('chat:leave', { chatId: chat._id });
    assert.deepEqual(await left, { userId: bob.id, chatId: chat._id });
    const offline = next(sa, 'user:offline', (p) => p.userId === bob.id);
    sb.disconnect();
    assert.match((await offline).lastSeen, /Z$/);
  });

  await check('rate limit: RATE_LIMITED past the burst, connection kept', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => sa.timeout(TIMEOUT_MS).emitWithAck('chat:typing', { chatId: chat._id })),
    );
    assert.ok(answers.some((a) => a.ok === false && a.error.code === 'RATE_LIMITED'));
    assert.ok(sa.connected);
  });
} finally {
  for (const s of sockets) s.disconnect();
  if (server.child) {
    server.child.kill('SIGTERM');
    const [code] = await once(server.child, 'exit');
    await check('server exits 0 on SIGTERM', () => assert.equal(code, 0));
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
