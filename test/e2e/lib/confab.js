'use strict';
// Helpers for the chat e2e tests (test/e2e/chat-*.test.js): start and stop the real confab
// binary on a fresh data dir, call REST with fetch, open authenticated sockets with the stock
// socket.io-client, record every event a socket receives, forge JWTs, and check object shapes
// against /work/shared/API.md.

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { io } = require('socket.io-client');

// CONFAB_BIN is set by ctest (test/e2e/chat-tests.cmake); by hand, the default build dir.
const CONFAB_BIN =
  process.env.CONFAB_BIN || path.resolve(__dirname, '..', '..', '..', 'build', 'app', 'confab');

const STARTUP_TIMEOUT_MS = 8000;
const SECRET = 'e2e-test-secret-0123456789abcdef';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

// ---------------------------------------------------------------------------------------------
// The server process

class Server {
  constructor({ child, port, dataDir, args, output }) {
    this.child = child;
    this.port = port;
    this.dataDir = dataDir;
    this.args = args;
    this.output = output; // { stdout, stderr } collected so far
    this.url = `http://127.0.0.1:${port}`;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  get alive() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  // SIGTERM, SIGKILL after `graceMs`. Resolves with { code, signal, killed }.
  async stop(graceMs = 5000) {
    let killed = false;
    if (this.alive) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        killed = true;
        this.child.kill('SIGKILL');
      }, graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    running.delete(this.child);
    return { code: this.child.exitCode, signal: this.child.signalCode, killed };
  }

  async kill() {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
    running.delete(this.child);
  }

  logs() {
    return `--- confab stdout ---\n${this.output.stdout}\n--- confab stderr ---\n${this.output.stderr}`;
  }
}

function makeDataDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'confab-e2e-'));
}

// Starts confab with `--port 0` (or `port`) on `dataDir` (a fresh temp dir when not given),
// `--jwt-secret SECRET` unless `secret` is null, plus `extraArgs`, with `env` added to the
// environment, and with a stack of `stackKiB` (ulimit -s) when given: stack use that grows
// with a client's input then fails at once rather than after gigabytes. Resolves with a
// Server once it prints "listening on HOST:PORT".
function startServer({ dataDir, port = 0, secret = SECRET, extraArgs = [], env, stackKiB } = {}) {
  if (!fs.existsSync(CONFAB_BIN)) {
    return Promise.reject(
      new Error(`confab not found at ${CONFAB_BIN}: build it (cmake --build build --target confab) or set CONFAB_BIN`),
    );
  }
  dataDir = dataDir || makeDataDir();
  const args = ['--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'warn'];
  if (secret !== null) args.push('--jwt-secret', secret);
  args.push(...extraArgs);
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = stackKiB
      ? ['/bin/sh', ['-c', `ulimit -s ${Number(stackKiB)} && exec "$0" "$@"`, CONFAB_BIN, ...args]]
      : [CONFAB_BIN, args];
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
    running.add(child);
    const output = { stdout: '', stderr: '' };
    let settled = false;
    const fail = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      running.delete(child);
      reject(new Error(`${why}\nargs: ${args.join(' ')}\nstdout: ${output.stdout}\nstderr: ${output.stderr}`));
    };
    const timer = setTimeout(() => fail(`confab did not report listening within ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS);
    child.stderr.on('data', (d) => {
      output.stderr += d;
      if (output.stderr.length > 200000) output.stderr = output.stderr.slice(-100000);
    });
    child.stdout.on('data', (d) => {
      output.stdout += d;
      if (settled) return;
      const m = /listening on (\S+):(\d+)\r?\n/.exec(output.stdout);
      if (!m) return;
      settled = true;
      clearTimeout(timer);
      resolve(new Server({ child, port: Number(m[2]), dataDir, args, output }));
    });
    child.once('error', (e) => fail(`cannot start ${CONFAB_BIN}: ${e.message}`));
    child.once('exit', (code, sig) => fail(`confab exited early (code ${code}, signal ${sig})`));
  });
}

function removeDir(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    /* best effort */
  }
}

// ---------------------------------------------------------------------------------------------
// REST

// Resolves with { status, headers, text, json } (json undefined if the body is not JSON).
// `body` is JSON-encoded; `rawBody` is sent as is (with `contentType`, default application/json).
async function api(server, method, urlPath, { token, body, rawBody, contentType, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload;
  if (rawBody !== undefined) {
    payload = rawBody;
    h['content-type'] = contentType || 'application/json';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['content-type'] = 'application/json';
  }
  const res = await fetch(server.url + urlPath, {
    method,
    headers: h,
    body: payload,
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// Asserts `res` is `status` with the JSON error shape {"error":{"code","message"}}; when `code`
// is given, also that code.
function assertApiError(res, status, code) {
  const where = `${res.status} ${res.text}`;
  if (Array.isArray(status)) assert.ok(status.includes(res.status), `status ${res.status} not in ${status}: ${where}`);
  else assert.equal(res.status, status, `expected ${status}, got ${where}`);
  assert.ok(res.json && typeof res.json === 'object', `error body is not JSON: ${where}`);
  assert.deepEqual(Object.keys(res.json), ['error'], `error body keys: ${where}`);
  assert.equal(typeof res.json.error.code, 'string', `error.code: ${where}`);
  assert.ok(res.json.error.code.length > 0, `empty error.code: ${where}`);
  assert.equal(typeof res.json.error.message, 'string', `error.message: ${where}`);
  assert.ok(res.json.error.message.length > 0, `empty error.message: ${where}`);
  if (code) assert.equal(res.json.error.code, code, `error.code: ${where}`);
}

let nameCounter = 0;
// A fresh username (letters and digits, at most 16 chars) unique across runs.
function uniqueName(prefix = 'u') {
  nameCounter += 1;
  return `${prefix}${crypto.randomBytes(4).toString('hex')}${nameCounter}`.slice(0, 16);
}

const PASSWORD = 'Secret-pass-123';

// Registers a fresh user; resolves with { token, user, username, email, password }.
async function register(server, prefix = 'u') {
  const username = uniqueName(prefix);
  const email = `${username.toLowerCase()}@example.com`;
  const res = await api(server, 'POST', '/api/auth/register', { body: { username, email, password: PASSWORD } });
  assert.equal(res.status, 201, `register ${username}: ${res.status} ${res.text}`);
  return { token: res.json.token, user: res.json.user, id: res.json.user._id, username, email, password: PASSWORD };
}

// Creates a chat as `owner`; resolves with the chat (asserting 201).
async function createChat(server, owner, { type = 'group', name, participants = [] } = {}) {
  const body = { type, participantIds: participants.map((p) => (typeof p === 'string' ? p : p.id)) };
  if (name !== undefined) body.name = name;
  else if (type === 'group') body.name = `group ${crypto.randomBytes(3).toString('hex')}`;
  const res = await api(server, 'POST', '/api/chats', { token: owner.token, body });
  assert.equal(res.status, 201, `create chat: ${res.status} ${res.text}`);
  return res.json;
}

async function history(server, user, chatId, query = '') {
  const res = await api(server, 'GET', `/api/chats/${chatId}/messages${query}`, { token: user.token });
  assert.equal(res.status, 200, `history: ${res.status} ${res.text}`);
  return res.json;
}

async function chatOf(server, user, chatId) {
  const res = await api(server, 'GET', `/api/chats/${chatId}`, { token: user.token });
  assert.equal(res.status, 200, `get chat: ${res.status} ${res.text}`);
  return res.json;
}

// ---------------------------------------------------------------------------------------------
// Sockets

// Records every event a socket receives: { event, args, at }.
class Recorder {
  constructor(socket) {
    this.socket = socket;
    this.list = [];
    this.waiters = new Set();
    socket.onAny((event, ...args) => {
      const entry = { event, args, at: Date.now() };
      this.list.push(entry);
      for (const w of [...this.waiters]) w(entry);
    });
  }

  mark() {
    return this.list.length;
  }

  since(from = 0, event) {
    return this.list.slice(from).filter((e) => event === undefined || e.event === event);
  }

  // Payloads (first argument) of `event` received since `from`, matching `pred`.
  payloads(event, pred = () => true, from = 0) {
    return this.since(from, event)
      .map((e) => e.args[0])
      .filter(pred);
  }

  // Resolves with the first argument of the first `event` since `from` matching `pred`
  // (possibly already received), or rejects after `ms`.
  waitFor(event, pred = () => true, { ms = 2000, from = 0 } = {}) {
    const hit = this.list.slice(from).find((e) => e.event === event && pred(e.args[0], e));
    if (hit) return Promise.resolve(hit.args[0]);
    return new Promise((resolve, reject) => {
      const waiter = (e) => {
        if (e.event === event && pred(e.args[0], e)) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(e.args[0]);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.list
          .slice(from)
          .map((e) => `${e.event} ${JSON.stringify(e.args).slice(0, 200)}`)
          .join('\n  ');
        reject(new Error(`${this.name || 'socket'}: no matching '${event}' within ${ms} ms; received:\n  ${seen || '(nothing)'}`));
      }, ms);
      this.waiters.add(waiter);
    });
  }

  // Resolves with the `error` event payload for `eventName` (sent since `from`).
  waitError(eventName, opts = {}) {
    return this.waitFor('error', (p) => p && p.event === eventName, opts);
  }
}

// Opens an authenticated socket (token in the auth payload unless `auth`/`query`/`extraHeaders`
// say otherwise) and waits for 'connect'. Resolves with the socket; `socket.rec` is its Recorder
// (created before connecting, so it sees the first events). Closed after test `t`, if given.
async function connectSocket(t, server, token, opts = {}) {
  const { name, ms = 4000, ...ioOpts } = opts;
  const socket = io(server.url, {
    forceNew: true,
    reconnection: false,
    auth: token === undefined ? undefined : { token },
    ...ioOpts,
  });
  socket.rec = new Recorder(socket);
  socket.rec.name = name;
  if (t) t.after(() => socket.disconnect());
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error(`${name || 'socket'}: no 'connect' within ${ms} ms`));
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(Object.assign(new Error(`${name || 'socket'}: connect_error: ${err.message}`), { cause: err }));
    });
  });
  return socket;
}

// Tries to connect and resolves with the connect_error's Error (rejects if it connects).
async function connectError(server, opts = {}, ms = 4000) {
  const socket = io(server.url, { forceNew: true, reconnection: false, ...opts });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`neither connect nor connect_error within ${ms} ms`)), ms);
      socket.once('connect', () => {
        clearTimeout(timer);
        reject(new Error('connected, but a connect_error was expected'));
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        resolve(err);
      });
    });
  } finally {
    socket.disconnect();
  }
}

// Emits `event` with `args` and an ack callback; resolves with the ack's first argument.
function emitAck(socket, event, ...args) {
  return emitAckWithin(3000, socket, event, ...args);
}

function emitAckWithin(ms, socket, event, ...args) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for '${event}' within ${ms} ms`)), ms);
    socket.emit(event, ...args, (res) => {
      clearTimeout(timer);
      resolve(res);
    });
  });
}

// Asserts an ack is {ok:true, ...}.
function assertOk(ack, what = '') {
  assert.ok(ack && typeof ack === 'object', `${what} ack is not an object: ${JSON.stringify(ack)}`);
  assert.equal(ack.ok, true, `${what} ack not ok: ${JSON.stringify(ack)}`);
}

// Asserts an ack is {ok:false, error:{code, message}} with `code` (a string or a list of them).
function assertAckError(ack, code, what = '') {
  const s = JSON.stringify(ack);
  assert.ok(ack && typeof ack === 'object', `${what} ack is not an object: ${s}`);
  assert.equal(ack.ok, false, `${what} ack: ${s}`);
  assert.ok(ack.error && typeof ack.error === 'object', `${what} ack.error: ${s}`);
  assert.equal(typeof ack.error.message, 'string', `${what} ack.error.message: ${s}`);
  assert.ok(ack.error.message.length > 0, `${what} empty ack.error.message: ${s}`);
  if (Array.isArray(code)) assert.ok(code.includes(ack.error.code), `${what} ack code ${ack.error.code} not in ${code}: ${s}`);
  else if (code) assert.equal(ack.error.code, code, `${what} ack code: ${s}`);
}

// Asserts an `error` event payload is exactly {message, code, event}.
function assertErrorEvent(payload, event, code) {
  const s = JSON.stringify(payload);
  assert.ok(payload && typeof payload === 'object', `error payload: ${s}`);
  assert.deepEqual(Object.keys(payload).sort(), ['code', 'event', 'message'], `error payload keys: ${s}`);
  assert.equal(typeof payload.message, 'string', `error.message: ${s}`);
  assert.ok(payload.message.length > 0, `empty error.message: ${s}`);
  assert.equal(payload.event, event, `error.event: ${s}`);
  if (Array.isArray(code)) assert.ok(code.includes(payload.code), `error code ${payload.code} not in ${code}: ${s}`);
  else if (code) assert.equal(payload.code, code, `error code: ${s}`);
}

let clientCounter = 0;
function clientMessageId() {
  clientCounter += 1;
  return `cm-${crypto.randomBytes(6).toString('hex')}-${clientCounter}`;
}

// message:send with every field of the contract; resolves with the ack.
function sendMessage(socket, chatId, content, extra = {}) {
  return emitAck(socket, 'message:send', {
    chatId,
    content,
    messageType: 'text',
    attachments: [],
    replyTo: null,
    clientMessageId: clientMessageId(),
    ...extra,
  });
}

// Sends (the socket must have joined the chat's room) and waits for the sender's own
// message:received; resolves with that Message.
async function send(socket, chatId, content, extra = {}) {
  const from = socket.rec.mark();
  const ack = await sendMessage(socket, chatId, content, extra);
  assertOk(ack, `message:send '${String(content).slice(0, 30)}'`);
  return socket.rec.waitFor('message:received', (m) => m && m.chatId === chatId && m.content === content, { from });
}

// Sends without needing the room; resolves with the message:sent payload.
async function post(socket, chatId, content, extra = {}) {
  const from = socket.rec.mark();
  const ack = await sendMessage(socket, chatId, content, extra);
  assertOk(ack, `message:send '${String(content).slice(0, 30)}'`);
  return socket.rec.waitFor('message:sent', (p) => p && p.chatId === chatId, { from });
}

async function join(socket, chatId) {
  const ack = await emitAck(socket, 'chat:join', { chatId });
  assertOk(ack, 'chat:join');
  return ack;
}

// Resolves after `ms` (default 250) — for "nothing arrives" checks, run after an event that
// proves the server already delivered to the intended recipients.
const quiet = (ms = 250) => sleep(ms);

// ---------------------------------------------------------------------------------------------
// JWT

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function signJwt(claims, { secret = SECRET, alg = 'HS256', header } = {}) {
  const h = b64url(JSON.stringify(header || { alg, typ: 'JWT' }));
  const p = b64url(JSON.stringify(claims));
  if (alg === 'none') return `${h}.${p}.`;
  const sig = crypto.createHmac('sha256', secret).update(`${h}.${p}`).digest();
  return `${h}.${p}.${b64url(sig)}`;
}

function decodeJwt(token) {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) };
}

// ---------------------------------------------------------------------------------------------
// Shapes (API.md "Identifiers and objects")

const ID = /^[0-9a-f]{24}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function assertId(v, what = 'id') {
  assert.match(String(v), ID, `${what}: ${JSON.stringify(v)}`);
  assert.equal(typeof v, 'string', `${what} is not a string`);
}

function assertIso(v, what = 'timestamp') {
  assert.equal(typeof v, 'string', `${what} is not a string: ${JSON.stringify(v)}`);
  assert.match(v, ISO, `${what}: ${v}`);
  assert.ok(!Number.isNaN(Date.parse(v)), `${what} does not parse: ${v}`);
}

const USER_KEYS = ['_id', 'username', 'email', 'status', 'lastSeen', 'createdAt'].sort();
function assertUser(u, what = 'user') {
  const s = JSON.stringify(u);
  assert.ok(u && typeof u === 'object' && !Array.isArray(u), `${what}: ${s}`);
  assert.deepEqual(Object.keys(u).sort(), USER_KEYS, `${what} keys: ${s}`);
  assertId(u._id, `${what}._id`);
  assert.equal(typeof u.username, 'string');
  assert.equal(typeof u.email, 'string');
  assert.ok(['online', 'offline'].includes(u.status), `${what}.status: ${s}`);
  assertIso(u.lastSeen, `${what}.lastSeen`);
  assertIso(u.createdAt, `${what}.createdAt`);
}

const CHAT_KEYS = ['_id', 'type', 'name', 'participants', 'admins', 'createdBy', 'createdAt', 'updatedAt', 'lastMessage', 'unreadCount'].sort();
function assertChat(c, what = 'chat', { exact = true } = {}) {
  const s = JSON.stringify(c);
  assert.ok(c && typeof c === 'object' && !Array.isArray(c), `${what}: ${s}`);
  if (exact) assert.deepEqual(Object.keys(c).sort(), CHAT_KEYS, `${what} keys: ${s}`);
  else assert.deepEqual(CHAT_KEYS.filter((k) => !(k in c)), [], `${what} misses fields: ${s}`);
  assertId(c._id, `${what}._id`);
  assert.ok(['direct', 'group'].includes(c.type), `${what}.type: ${s}`);
  assert.ok(c.name === null || typeof c.name === 'string', `${what}.name: ${s}`);
  assert.ok(Array.isArray(c.participants), `${what}.participants: ${s}`);
  c.participants.forEach((p) => assertId(p, `${what}.participants[]`));
  assert.ok(Array.isArray(c.admins), `${what}.admins: ${s}`);
  c.admins.forEach((p) => assertId(p, `${what}.admins[]`));
  assertId(c.createdBy, `${what}.createdBy`);
  assertIso(c.createdAt, `${what}.createdAt`);
  assertIso(c.updatedAt, `${what}.updatedAt`);
  if (c.lastMessage !== null) assertMessage(c.lastMessage, `${what}.lastMessage`);
  assert.ok(Number.isInteger(c.unreadCount) && c.unreadCount >= 0, `${what}.unreadCount: ${s}`);
}

const MESSAGE_KEYS = [
  '_id', 'chatId', 'senderId', 'content', 'messageType', 'attachments', 'replyTo', 'reactions',
  'readBy', 'isEdited', 'editedAt', 'isDeleted', 'deletedAt', 'createdAt', 'updatedAt',
].sort();
// Checks every field of the contract's Message. Extra fields are only rejected with
// { exact: true } (one dedicated test per file does that), so that one stray field does not
// fail every test that looks at a message.
function assertMessage(m, what = 'message', { exact = false } = {}) {
  const s = JSON.stringify(m);
  assert.ok(m && typeof m === 'object' && !Array.isArray(m), `${what}: ${s}`);
  if (exact) assert.deepEqual(Object.keys(m).sort(), MESSAGE_KEYS, `${what} keys: ${s}`);
  else {
    const missing = MESSAGE_KEYS.filter((k) => !(k in m));
    assert.deepEqual(missing, [], `${what} misses fields: ${s}`);
  }
  assertId(m._id, `${what}._id`);
  assertId(m.chatId, `${what}.chatId`);
  assert.ok(m.senderId && typeof m.senderId === 'object', `${what}.senderId: ${s}`);
  assert.deepEqual(Object.keys(m.senderId).sort(), ['_id', 'username'], `${what}.senderId keys: ${s}`);
  assertId(m.senderId._id, `${what}.senderId._id`);
  assert.equal(typeof m.senderId.username, 'string', `${what}.senderId.username: ${s}`);
  assert.equal(typeof m.content, 'string', `${what}.content: ${s}`);
  assert.ok(['text', 'image', 'file', 'system'].includes(m.messageType), `${what}.messageType: ${s}`);
  assert.ok(Array.isArray(m.attachments), `${what}.attachments: ${s}`);
  for (const a of m.attachments) {
    assert.deepEqual(Object.keys(a).sort(), ['mimeType', 'name', 'size', 'url'], `${what}.attachments[] keys: ${s}`);
  }
  assert.ok(m.replyTo === null || ID.test(m.replyTo), `${what}.replyTo: ${s}`);
  assert.ok(Array.isArray(m.reactions), `${what}.reactions: ${s}`);
  for (const r of m.reactions) {
    assert.deepEqual(Object.keys(r).sort(), ['emoji', 'userId'], `${what}.reactions[] keys: ${s}`);
    assertId(r.userId, `${what}.reactions[].userId`);
  }
  assert.ok(Array.isArray(m.readBy), `${what}.readBy: ${s}`);
  for (const r of m.readBy) {
    assert.deepEqual(Object.keys(r).sort(), ['readAt', 'userId'], `${what}.readBy[] keys: ${s}`);
    assertId(r.userId, `${what}.readBy[].userId`);
    assertIso(r.readAt, `${what}.readBy[].readAt`);
  }
  assert.equal(typeof m.isEdited, 'boolean', `${what}.isEdited: ${s}`);
  assert.ok(m.editedAt === null || ISO.test(m.editedAt), `${what}.editedAt: ${s}`);
  if (m.isEdited) assertIso(m.editedAt, `${what}.editedAt`);
  assert.equal(typeof m.isDeleted, 'boolean', `${what}.isDeleted: ${s}`);
  assert.ok(m.deletedAt === null || ISO.test(m.deletedAt), `${what}.deletedAt: ${s}`);
  if (m.isDeleted) assertIso(m.deletedAt, `${what}.deletedAt`);
  assertIso(m.createdAt, `${what}.createdAt`);
  assertIso(m.updatedAt, `${what}.updatedAt`);
}

// Asserts `p` has exactly `keys` (in any order).
function assertKeys(p, keys, what = 'payload') {
  assert.ok(p && typeof p === 'object', `${what}: ${JSON.stringify(p)}`);
  assert.deepEqual(Object.keys(p).sort(), [...keys].sort(), `${what} keys: ${JSON.stringify(p)}`);
}

// A per-file server lifecycle for node:test: `const srv = useServer(opts)` in a file, then
// `srv.server` inside tests. Stops the server and removes the data dir after the file; fails
// the file if the server died or does not exit 0 on SIGTERM.
function useServer(opts = {}) {
  const { before, after } = require('node:test');
  const holder = { server: null, dataDir: opts.dataDir || makeDataDir() };
  let ready;
  // Node 20 runs several root-level before() hooks concurrently: a file's own root before()
  // must `await srv.ready()` before it uses srv.server.
  holder.ready = () => {
    if (!ready) {
      ready = startServer({ ...opts, dataDir: holder.dataDir }).then((s) => {
        holder.server = s;
        return s;
      });
    }
    return ready;
  };
  before(() => holder.ready());
  after(async () => {
    const s = holder.server;
    if (!s) return removeDir(holder.dataDir);
    const wasAlive = s.alive;
    const res = await s.stop();
    removeDir(holder.dataDir);
    assert.ok(wasAlive, `confab died during the tests (code ${s.child.exitCode}, signal ${s.child.signalCode})\n${s.logs()}`);
    assert.equal(res.killed, false, `confab did not stop within 5 s of SIGTERM\n${s.logs()}`);
    assert.equal(res.code, 0, `confab exited with ${res.code}/${res.signal} on SIGTERM\n${s.logs()}`);
  });
  return holder;
}

module.exports = {
  CONFAB_BIN,
  SECRET,
  PASSWORD,
  sleep,
  quiet,
  startServer,
  makeDataDir,
  removeDir,
  useServer,
  api,
  assertApiError,
  uniqueName,
  register,
  createChat,
  history,
  chatOf,
  Recorder,
  connectSocket,
  connectError,
  emitAck,
  emitAckWithin,
  assertOk,
  assertAckError,
  assertErrorEvent,
  clientMessageId,
  sendMessage,
  send,
  post,
  join,
  signJwt,
  decodeJwt,
  ID,
  ISO,
  assertId,
  assertIso,
  assertUser,
  assertChat,
  assertMessage,
  assertKeys,
};
