'use strict';
// The benchmark's baseline: the wire contract of shared/API.md served the way a Node developer
// would build it. Express for REST, Socket.IO 4 for real time, jsonwebtoken for auth, and plain
// Maps in memory for storage (nothing survives a restart). Idiomatic, not tuned: default
// Socket.IO options apart from what API.md names, no clustering, no caching tricks.
//
// Run: npm ci && PORT=5001 node server.js     (settings: see `config` below)

const crypto = require('node:crypto');
const http = require('node:http');
const { parseArgs, promisify } = require('node:util');
const express = require('express');
const cors = require('cors');
const jwt = require('jsonwebtoken');
const { Server } = require('socket.io');

const scrypt = promisify(crypto.scrypt);

// ---------------------------------------------------------------------------------------------
// Configuration: environment variables, or the equivalent --flags (flags win).

const flagNames = ['port', 'host', 'jwt-secret', 'jwt-expires-in', 'cors-origin', 'ping-interval', 'ping-timeout',
  'max-payload', 'rate-limit-per-sec', 'rate-limit-burst', 'data-dir', 'durability', 'log-level']; // the last 3: ignored
const { values: flags } = parseArgs({
  strict: false,
  options: Object.fromEntries(flagNames.map((name) => [name, { type: 'string' }])),
});
const setting = (flag, env, fallback) => flags[flag] ?? env.map((e) => process.env[e]).find((v) => v) ?? fallback;

const config = {
  port: Number(setting('port', ['PORT', 'SOCKET_IO_PORT'], 5000)),
  host: setting('host', ['HOST'], '0.0.0.0'),
  jwtSecret: setting('jwt-secret', ['JWT_SECRET'], 'confab-reference-dev-secret-change-me'),
  jwtExpiresIn: setting('jwt-expires-in', ['JWT_EXPIRES_IN'], '7d'),
  corsOrigin: setting('cors-origin', ['CORS_ORIGIN'], 'http://localhost:3000'),
  pingInterval: Number(setting('ping-interval', ['PING_INTERVAL'], 30000)),
  pingTimeout: Number(setting('ping-timeout', ['PING_TIMEOUT'], 10000)),
  maxPayload: Number(setting('max-payload', ['MAX_PAYLOAD'], 1e6)),
  ratePerSec: Number(setting('rate-limit-per-sec', ['RATE_LIMIT_PER_SEC'], 20)),
  rateBurst: Number(setting('rate-limit-burst', ['RATE_LIMIT_BURST'], 40)),
};
// jsonwebtoken reads a bare number string as milliseconds; API.md means seconds ("3600").
if (/^\d+$/.test(config.jwtExpiresIn)) config.jwtExpiresIn = Number(config.jwtExpiresIn);

// With credentials allowed, "*" has to be answered by echoing the request's origin.
const corsOrigin = config.corsOrigin.trim() === '*' ? true : config.corsOrigin.split(',').map((o) => o.trim());

// ---------------------------------------------------------------------------------------------
// Storage: in-memory Maps.

const users = new Map(); // userId -> { _id, username, email, passwordHash, status, lastSeen, createdAt }
const usernameIndex = new Map(); // lowercased username -> userId
const emailIndex = new Map(); // lowercased email -> userId
const chats = new Map(); // chatId -> chat (see createChatRecord)
const userChats = new Map(); // userId -> Set of chatIds
const directChats = new Map(); // "smallerId:greaterId" -> chatId
const messages = new Map(); // messageId -> message
const clientMessageIds = new Map(); // "userId:chatId:clientMessageId" -> messageId (as confab)

// ObjectId-like ids: 4 bytes of seconds, 5 random bytes per process, a 3-byte counter.
const processRandom = crypto.randomBytes(5);
let idCounter = crypto.randomInt(0xffffff);
function newId() {
  const id = Buffer.alloc(12);
  id.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
  processRandom.copy(id, 4);
  idCounter = (idCounter + 1) % 0x1000000;
  id.writeUIntBE(idCounter, 9, 3);
  return id.toString('hex');
}
const isId = (value) => typeof value === 'string' && /^[0-9a-fA-F]{24}$/.test(value);
const now = () => new Date().toISOString();

// ---------------------------------------------------------------------------------------------
// Errors: thrown by handlers, answered as {"error":{code,message}} (REST) or `error` + ack.

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
const badRequest = (message) => new ApiError(400, 'BAD_REQUEST', message);
const unauthorized = (message) => new ApiError(401, 'UNAUTHORIZED', message);
const forbidden = (message) => new ApiError(403, 'FORBIDDEN', message);
const notFound = (message) => new ApiError(404, 'NOT_FOUND', message);
const conflict = (message) => new ApiError(409, 'CONFLICT', message);

// ---------------------------------------------------------------------------------------------
// Input checks shared by REST and socket handlers.

const charCount = (s) => {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
};

function requiredString(body, key) {
  const value = body[key];
  if (value === undefined || value === null) throw badRequest(`'${key}' is required`);
  if (typeof value !== 'string') throw badRequest(`'${key}' must be a string`);
  return value;
}

function requiredId(body, key) {
  const value = requiredString(body, key);
  if (!isId(value)) throw badRequest(`'${key}' is not a valid id`);
  return value.toLowerCase();
}

function parseLimit(raw, fallback, max) {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < 1) {
    throw badRequest("'limit' must be a whole number from 1");
  }
  return Math.min(Number(raw), max);
}

// ---------------------------------------------------------------------------------------------
// Views: what goes on the wire.

function userView(u) {
  return { _id: u._id, username: u.username, email: u.email, status: u.status, lastSeen: u.lastSeen, createdAt: u.createdAt };
}

function messageView(m) {
  return {
    _id: m._id,
    chatId: m.chatId,
    senderId: { _id: m.senderId, username: users.get(m.senderId)?.username ?? '' },
    content: m.content,
    messageType: m.messageType,
    attachments: m.attachments,
    replyTo: m.replyTo,
    reactions: m.reactions,
    readBy: m.readBy,
    isEdited: m.isEdited,
    editedAt: m.editedAt,
    isDeleted: m.isDeleted,
    deletedAt: m.deletedAt,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

function chatView(chat, viewerId) {
  const participants = [...chat.members.keys()];
  const lastMessage = chat.messages.at(-1);
  return {
    _id: chat._id,
    type: chat.type,
    name: chat.name,
    participants,
    admins: participants.filter((id) => chat.members.get(id).role === 'admin'),
    createdBy: chat.createdBy,
    createdAt: chat.createdAt,
    updatedAt: chat.updatedAt,
    lastMessage: lastMessage ? messageView(lastMessage) : null,
    unreadCount: chat.members.get(viewerId)?.unread ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Users and passwords. crypto.scrypt (async, libuv thread pool) with Node's defaults:
// N=16384, r=8, p=1 (16 MiB), 16-byte salt, 64-byte key. Salted and memory-hard, like the
// argon2id that API.md names; Node 20 has no built-in argon2 and no native addons are used.

async function hashPassword(password) {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, 64);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

async function verifyPassword(password, stored) {
  const [, salt, key] = stored.split('$');
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length);
  return crypto.timingSafeEqual(actual, expected);
}

function signToken(user) {
  return jwt.sign({ userId: user._id, username: user.username }, config.jwtSecret, {
    algorithm: 'HS256',
    expiresIn: config.jwtExpiresIn,
  });
}

// The user a token names, and the token's claims; throws UNAUTHORIZED for a bad or expired
// token or an unknown user.
function verifyToken(token) {
  let claims;
  try {
    claims = jwt.verify(token, config.jwtSecret, { algorithms: ['HS256'] });
  } catch {
    throw unauthorized('Invalid or expired token');
  }
  if (typeof claims.exp !== 'number') throw unauthorized('Invalid or expired token');
  const user = isId(claims.userId) && users.get(claims.userId.toLowerCase());
  if (!user) throw unauthorized('User no longer exists');
  return { user, claims };
}

function bearerToken(header) {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header || '');
  return match ? match[1] : null;
}

// ---------------------------------------------------------------------------------------------
// Chats and messages.

function createChatRecord(type, name, creatorId, memberIds) {
  const time = now();
  const chat = {
    _id: newId(),
    type,
    name,
    createdBy: creatorId,
    createdAt: time,
    updatedAt: time,
    lastActivity: Date.now(),
    members: new Map(), // userId -> { role, lastRead (index into messages), unread }
    messages: [], // in id order
  };
  chats.set(chat._id, chat);
  addMember(chat, creatorId, type === 'group' ? 'admin' : 'member');
  for (const id of memberIds) addMember(chat, id, 'member');
  return chat;
}

function addMember(chat, userId, role) {
  chat.members.set(userId, { role, lastRead: -1, unread: 0 });
  if (!userChats.has(userId)) userChats.set(userId, new Set());
  userChats.get(userId).add(chat._id);
}

// The chat, if `userId` is one of its participants: NOT_FOUND / FORBIDDEN otherwise.
function participantChat(chatId, userId) {
  const chat = isId(chatId) && chats.get(chatId.toLowerCase());
  if (!chat) throw notFound('Chat not found');
  if (!chat.members.has(userId)) throw forbidden('Not a participant of this chat');
  return chat;
}

function messageIn(chat, messageId) {
  const message = messages.get(messageId);
  if (!message || message.chatId !== chat._id) throw notFound('Message not found');
  return message;
}

// Index of the first message whose id is >= `id` (ids sort by creation time).
function lowerBound(list, id) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]._id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function parseAttachments(value) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 10) throw badRequest("'attachments' must be an array of at most 10 items");
  return value.map((a) => {
    if (!a || typeof a !== 'object' || Array.isArray(a)) throw badRequest('each attachment must be an object');
    if (typeof a.url !== 'string' || a.url.length === 0 || a.url.length > 2048) throw badRequest("each attachment needs a 'url'");
    for (const key of ['name', 'mimeType']) {
      if (a[key] != null && (typeof a[key] !== 'string' || a[key].length > 2048)) {
        throw badRequest('attachment fields must be short strings');
      }
    }
    if (a.size != null && !(Number.isInteger(a.size) && a.size >= 0)) throw badRequest("attachment 'size' must be a whole number");
    return { url: a.url, name: a.name ?? '', size: a.size ?? 0, mimeType: a.mimeType ?? '' };
  });
}

// ---------------------------------------------------------------------------------------------
// REST

const app = express();
app.disable('x-powered-by');
app.use(cors({ origin: corsOrigin, credentials: true, methods: ['GET', 'POST', 'DELETE'] }));
app.use(express.json());
app.use((req, res, next) => {
  if (Array.isArray(req.body)) return next(badRequest('Request body must be a JSON object'));
  next();
});

// Express 4 does not catch rejected promises: route them to the error handler.
const asyncRoute = (fn) => (req, res, next) => Promise.resolve(fn(req, res, next)).catch(next);

function authenticate(req, res, next) {
  const token = bearerToken(req.headers.authorization);
  if (!token) return next(unauthorized('Authentication required'));
  try {
    req.user = verifyToken(token).user;
    next();
  } catch (err) {
    next(err);
  }
}

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

app.get('/metrics', (req, res) => {
  const lines = [
    '# TYPE reference_connected_sockets gauge',
    `reference_connected_sockets ${io.engine.clientsCount}`,
    '# TYPE reference_users gauge',
    `reference_users ${users.size}`,
    '# TYPE reference_chats gauge',
    `reference_chats ${chats.size}`,
    '# TYPE reference_messages gauge',
    `reference_messages ${messages.size}`,
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
  ];
  res.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
});

app.post('/api/auth/register', asyncRoute(async (req, res) => {
  const username = requiredString(req.body, 'username').trim();
  const email = requiredString(req.body, 'email').trim();
  const password = requiredString(req.body, 'password');
  if (!/^[A-Za-z0-9_.-]{3,64}$/.test(username)) {
    throw badRequest("'username' must be 3 to 64 letters, digits, '_', '.' or '-'");
  }
  if (email.length > 254 || !/^[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]$/.test(email)) {
    throw badRequest("'email' is not a valid email address");
  }
  if (charCount(password) < 6 || Buffer.byteLength(password) > 1024) {
    throw badRequest("'password' must be 6 characters to 1024 bytes long");
  }
  if (usernameIndex.has(username.toLowerCase())) throw conflict('Username already taken');
  if (emailIndex.has(email.toLowerCase())) throw conflict('Email already registered');

  const passwordHash = await hashPassword(password);
  // Checked again: another registration may have taken the name while we were hashing.
  if (usernameIndex.has(username.toLowerCase())) throw conflict('Username already taken');
  if (emailIndex.has(email.toLowerCase())) throw conflict('Email already registered');
  const time = now();
  const user = { _id: newId(), username, email, passwordHash, status: 'offline', lastSeen: time, createdAt: time };
  users.set(user._id, user);
  usernameIndex.set(username.toLowerCase(), user._id);
  emailIndex.set(email.toLowerCase(), user._id);
  res.status(201).json({ token: signToken(user), user: userView(user) });
}));

app.post('/api/auth/login', asyncRoute(async (req, res) => {
  const byEmail = req.body.email != null && req.body.email !== '';
  const identifier = requiredString(req.body, byEmail ? 'email' : 'username').trim();
  const password = requiredString(req.body, 'password');
  const index = identifier.includes('@') ? emailIndex : usernameIndex;
  const user = users.get(index.get(identifier.toLowerCase()));
  if (!user || !(await verifyPassword(password, user.passwordHash))) throw unauthorized('Invalid credentials');
  res.json({ token: signToken(user), user: userView(user) });
}));

app.get('/api/users/me', authenticate, (req, res) => res.json(userView(req.user)));

app.get('/api/users', authenticate, (req, res) => {
  const limit = parseLimit(req.query.limit, 20, 100);
  const prefix = typeof req.query.search === 'string' ? req.query.search.toLowerCase() : '';
  const found = [...usernameIndex.keys()]
    .filter((name) => name.startsWith(prefix))
    .sort()
    .slice(0, limit)
    .map((name) => userView(users.get(usernameIndex.get(name))));
  res.json(found);
});

app.post('/api/chats', authenticate, (req, res) => {
  const me = req.user._id;
  const type = requiredString(req.body, 'type');
  if (type !== 'direct' && type !== 'group') throw badRequest('\'type\' must be "direct" or "group"');
  const ids = req.body.participantIds ?? [];
  if (!Array.isArray(ids) || !ids.every(isId)) throw badRequest("'participantIds' must be an array of user ids");
  if (ids.length > 1000) throw badRequest("'participantIds' may name at most 1000 users");
  const others = [...new Set(ids.map((id) => id.toLowerCase()))].filter((id) => id !== me);

  if (type === 'direct') {
    if (others.length !== 1) throw badRequest('A direct chat needs exactly one other participant');
    const [other] = others;
    if (!users.has(other)) throw notFound('User not found');
    const key = [me, other].sort().join(':');
    const existing = chats.get(directChats.get(key));
    if (existing) return res.status(200).json(chatView(existing, me));
    const chat = createChatRecord('direct', null, me, [other]);
    directChats.set(key, chat._id);
    return res.status(201).json(chatView(chat, me));
  }

  // API.md writes `name?`: a group may have none (null); one that is given must be 1..100 chars.
  const name = req.body.name == null ? null : requiredString(req.body, 'name').trim();
  if (name !== null && (charCount(name) < 1 || charCount(name) > 100)) throw badRequest("'name' must be 1 to 100 characters");
  if (!others.every((id) => users.has(id))) throw notFound('User not found');
  const chat = createChatRecord('group', name, me, others);
  res.status(201).json(chatView(chat, me));
});

app.get('/api/chats', authenticate, (req, res) => {
  const mine = [...(userChats.get(req.user._id) ?? [])].map((id) => chats.get(id));
  mine.sort((a, b) => b.lastActivity - a.lastActivity || (a._id < b._id ? -1 : 1));
  res.json(mine.map((chat) => chatView(chat, req.user._id)));
});

app.get('/api/chats/:chatId', authenticate, (req, res) => {
  res.json(chatView(participantChat(req.params.chatId, req.user._id), req.user._id));
});

app.post('/api/chats/:chatId/participants', authenticate, (req, res) => {
  const chat = participantChat(req.params.chatId, req.user._id);
  if (chat.type === 'direct') throw badRequest('Direct chats have fixed participants');
  if (chat.members.get(req.user._id).role !== 'admin') throw forbidden('Only group admins can add participants');
  const userId = requiredId(req.body, 'userId');
  if (!users.has(userId)) throw notFound('User not found');
  if (chat.members.has(userId)) throw conflict('Already a participant');
  addMember(chat, userId, 'member');
  chat.updatedAt = now();
  res.json(chatView(chat, req.user._id));
});

app.delete('/api/chats/:chatId/participants/:userId', authenticate, (req, res) => {
  const chat = participantChat(req.params.chatId, req.user._id);
  if (chat.type === 'direct') throw badRequest('Direct chats have fixed participants');
  const userId = req.params.userId.toLowerCase();
  if (!isId(userId)) throw notFound('User is not a participant of this chat');
  if (userId !== req.user._id && chat.members.get(req.user._id).role !== 'admin') {
    throw forbidden('Only group admins can remove other participants');
  }
  if (!chat.members.has(userId)) throw notFound('User is not a participant of this chat');
  chat.members.delete(userId);
  userChats.get(userId)?.delete(chat._id);
  chat.updatedAt = now();
  removeFromRoom(chat._id, userId);
  res.json(chatView(chat, req.user._id));
});

app.get('/api/chats/:chatId/messages', authenticate, (req, res) => {
  const chat = participantChat(req.params.chatId, req.user._id);
  const limit = parseLimit(req.query.limit, 50, 100);
  const { before } = req.query;
  if (before !== undefined && before !== '' && !isId(before)) throw badRequest("'before' is not a valid message id");
  const end = before ? lowerBound(chat.messages, before.toLowerCase()) : chat.messages.length;
  const start = Math.max(0, end - limit);
  res.json({ messages: chat.messages.slice(start, end).map(messageView), hasMore: start > 0 });
});

app.use((req, res) => {
  res.status(404).json({ error: { code: 'NOT_FOUND', message: `Cannot ${req.method} ${req.path}` } });
});

// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  if (err instanceof ApiError) return res.status(err.status).json({ error: { code: err.code, message: err.message } });
  if (err.type === 'entity.parse.failed') {
    return res.status(400).json({ error: { code: 'BAD_REQUEST', message: 'Request body is not valid JSON' } });
  }
  if (err.status >= 400 && err.status < 500) {
    return res.status(err.status).json({ error: { code: 'BAD_REQUEST', message: err.message } });
  }
  console.error(err);
  res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal error' } });
});

// ---------------------------------------------------------------------------------------------
// Socket.IO

const server = http.createServer(app);
const io = new Server(server, {
  cors: { origin: corsOrigin, credentials: true, methods: ['GET', 'POST'] },
  pingInterval: config.pingInterval,
  pingTimeout: config.pingTimeout,
  maxHttpBufferSize: config.maxPayload,
});

const room = (chatId) => `chat:${chatId}`;
const onlineSockets = new Map(); // userId -> number of connected sockets

io.use((socket, next) => {
  const { auth, headers, query } = socket.handshake;
  const token = (typeof auth?.token === 'string' && auth.token) || bearerToken(headers.authorization) || query.token;
  try {
    if (!token) throw unauthorized('missing token');
    const { user, claims } = verifyToken(token);
    socket.data.user = user;
    socket.data.expiresAt = claims.exp * 1000;
    next();
  } catch (err) {
    const refusal = new Error('Authentication error');
    refusal.data = { code: 'UNAUTHORIZED', reason: err.message };
    next(refusal);
  }
});

function announceActiveUsers(chatId) {
  const ids = io.sockets.adapter.rooms.get(room(chatId)) ?? [];
  const userIds = new Set([...ids].map((id) => io.sockets.sockets.get(id)?.data.user._id));
  io.to(room(chatId)).emit('chat:activeUsers', { chatId, count: userIds.size });
}

// A participant removed over REST leaves the chat's room on every socket of theirs.
function removeFromRoom(chatId, userId) {
  let left = false;
  for (const socket of io.sockets.sockets.values()) {
    if (socket.data.user._id !== userId || !socket.rooms.has(room(chatId))) continue;
    socket.leave(room(chatId));
    socket.data.chats.delete(chatId);
    left = true;
  }
  if (!left) return;
  io.to(room(chatId)).emit('user:left', { userId, chatId });
  announceActiveUsers(chatId);
}

// The chat events. Each handler gets (socket, payload), emits what API.md lists, and returns
// the ack's fields; a thrown ApiError becomes the `error` event and a failed ack.
const handlers = {
  'chat:join'(socket, payload) {
    const chatId = requiredId(payload, 'chatId');
    participantChat(chatId, socket.data.user._id);
    socket.join(room(chatId));
    socket.data.chats.add(chatId);
    io.to(room(chatId)).emit('user:joined', { userId: socket.data.user._id, chatId });
    announceActiveUsers(chatId);
    return { chatId };
  },

  'chat:leave'(socket, payload) {
    const chatId = requiredId(payload, 'chatId');
    socket.leave(room(chatId));
    socket.data.chats.delete(chatId);
    io.to(room(chatId)).emit('user:left', { userId: socket.data.user._id, chatId });
    announceActiveUsers(chatId);
    return { chatId };
  },

  'chat:typing'(socket, payload) {
    const chatId = requiredId(payload, 'chatId');
    participantChat(chatId, socket.data.user._id);
    const { _id: userId, username } = socket.data.user;
    socket.to(room(chatId)).emit('user:typing', { userId, username, chatId });
    return {};
  },

  'chat:stopTyping'(socket, payload) {
    const chatId = requiredId(payload, 'chatId');
    participantChat(chatId, socket.data.user._id);
    socket.to(room(chatId)).emit('user:stoppedTyping', { userId: socket.data.user._id, chatId });
    return {};
  },

  'message:send'(socket, payload) {
    const me = socket.data.user._id;
    const chatId = requiredId(payload, 'chatId');
    const messageType = payload.messageType ?? 'text';
    if (!['text', 'image', 'file'].includes(messageType)) throw badRequest("'messageType' must be text, image or file");
    const content = payload.content ?? '';
    if (typeof content !== 'string') throw badRequest("'content' must be a string");
    const length = charCount(content);
    if (length < (messageType === 'text' ? 1 : 0) || length > 10000) throw badRequest("'content' must be 1 to 10000 characters");
    const attachments = parseAttachments(payload.attachments);
    const replyTo = payload.replyTo == null ? null : requiredId(payload, 'replyTo');
    const { clientMessageId } = payload;
    if (clientMessageId != null && (typeof clientMessageId !== 'string' || clientMessageId.length === 0 || Buffer.byteLength(clientMessageId) > 128)) {
      throw badRequest("'clientMessageId' must be a string of 1 to 128 bytes");
    }
    const chat = participantChat(chatId, me);
    if (replyTo && messages.get(replyTo)?.chatId !== chatId) throw badRequest("'replyTo' is not a message of this chat");

    // A retry of a message already stored answers with the first one and stores nothing.
    const retryKey = clientMessageId != null ? `${me}:${chatId}:${clientMessageId}` : null;
    let message = retryKey && messages.get(clientMessageIds.get(retryKey));
    if (!message) {
      const time = now();
      message = {
        _id: newId(), chatId, senderId: me, content, messageType, attachments, replyTo,
        reactions: [], readBy: [], isEdited: false, editedAt: null, isDeleted: false, deletedAt: null,
        createdAt: time, updatedAt: time, clientMessageId: clientMessageId ?? null,
      };
      messages.set(message._id, message);
      if (retryKey) clientMessageIds.set(retryKey, message._id);
      chat.messages.push(message);
      chat.updatedAt = time;
      chat.lastActivity = Date.now();
      for (const [userId, member] of chat.members) if (userId !== me) member.unread += 1;
      io.to(room(chatId)).emit('message:received', messageView(message));
    }
    const sent = { messageId: message._id, chatId: message.chatId, clientMessageId: message.clientMessageId, createdAt: message.createdAt };
    socket.emit('message:sent', sent);
    return { ...sent, message: messageView(message) };
  },

  'message:markRead'(socket, payload) {
    const me = socket.data.user._id;
    const chatId = requiredId(payload, 'chatId');
    const messageId = requiredId(payload, 'messageId');
    const chat = participantChat(chatId, me);
    const message = messageIn(chat, messageId);
    let receipt = message.readBy.find((r) => r.userId === me);
    if (!receipt) {
      receipt = { userId: me, readAt: now() };
      message.readBy.push(receipt);
    }
    // Unread = messages after my last read one that I did not send.
    const member = chat.members.get(me);
    const index = lowerBound(chat.messages, messageId);
    if (index > member.lastRead) {
      member.lastRead = index;
      member.unread = chat.messages.slice(index + 1).filter((m) => m.senderId !== me).length;
    }
    const event = { messageId, chatId, userId: me, readAt: receipt.readAt };
    io.to(room(chatId)).emit('message:read', event);
    return event;
  },

  'message:edit'(socket, payload) {
    const me = socket.data.user._id;
    const chatId = requiredId(payload, 'chatId');
    const messageId = requiredId(payload, 'messageId');
    const content = requiredString(payload, 'content');
    if (charCount(content) < 1 || charCount(content) > 10000) throw badRequest("'content' must be 1 to 10000 characters");
    const message = messageIn(participantChat(chatId, me), messageId);
    if (message.senderId !== me) throw forbidden('Only the sender can edit a message');
    if (message.isDeleted) throw badRequest('Message was deleted');
    message.content = content;
    message.isEdited = true;
    message.editedAt = message.updatedAt = now();
    const event = { messageId, chatId, content, editedAt: message.editedAt };
    io.to(room(chatId)).emit('message:edited', event);
    return event;
  },

  'message:delete'(socket, payload) {
    const me = socket.data.user._id;
    const chatId = requiredId(payload, 'chatId');
    const messageId = requiredId(payload, 'messageId');
    const chat = participantChat(chatId, me);
    const message = messageIn(chat, messageId);
    if (message.isDeleted) throw badRequest('Message was deleted');
    const groupAdmin = chat.type === 'group' && chat.members.get(me).role === 'admin';
    if (message.senderId !== me && !groupAdmin) throw forbidden('Only the sender or a group admin can delete a message');
    message.content = '';
    message.attachments = [];
    message.isDeleted = true;
    message.deletedAt = message.updatedAt = now();
    const event = { messageId, chatId };
    io.to(room(chatId)).emit('message:deleted', event);
    return event;
  },

  'message:reaction'(socket, payload) {
    const me = socket.data.user._id;
    const chatId = requiredId(payload, 'chatId');
    const messageId = requiredId(payload, 'messageId');
    const emoji = requiredString(payload, 'emoji');
    if (emoji.length === 0 || Buffer.byteLength(emoji) > 32) throw badRequest("'emoji' must be 1 to 32 bytes");
    const message = messageIn(participantChat(chatId, me), messageId);
    if (message.isDeleted) throw badRequest('Message was deleted');
    const existing = message.reactions.findIndex((r) => r.userId === me && r.emoji === emoji);
    if (existing >= 0) message.reactions.splice(existing, 1);
    else message.reactions.push({ userId: me, emoji });
    const event = { messageId, chatId, reactions: message.reactions };
    io.to(room(chatId)).emit('message:reactionUpdated', event);
    return event;
  },
};

function reject(socket, event, err, ack) {
  const error = err instanceof ApiError ? err : new ApiError(500, 'INTERNAL', 'Internal error');
  if (!(err instanceof ApiError)) console.error(err);
  socket.emit('error', { message: error.message, code: error.code, event });
  if (ack) ack({ ok: false, error: { code: error.code, message: error.message } });
}

io.on('connection', (socket) => {
  const user = socket.data.user;
  socket.data.chats = new Set();
  // A token stops being valid at its exp: so does the socket it opened.
  const expiry = setTimeout(() => socket.disconnect(true), Math.min(socket.data.expiresAt - Date.now(), 2 ** 31 - 1));

  const count = (onlineSockets.get(user._id) ?? 0) + 1;
  onlineSockets.set(user._id, count);
  if (count === 1) {
    user.status = 'online';
    user.lastSeen = now();
    socket.broadcast.emit('user:online', { userId: user._id });
  }

  // Per-socket token bucket, and the checks every event needs, before any handler runs.
  let tokens = config.rateBurst;
  let refilledAt = Date.now();
  socket.use((packet, next) => {
    const [event, payload] = packet;
    const ack = typeof packet.at(-1) === 'function' ? packet.at(-1) : null;
    const time = Date.now();
    tokens = Math.min(config.rateBurst, tokens + ((time - refilledAt) / 1000) * config.ratePerSec);
    refilledAt = time;
    if (tokens < 1) return reject(socket, event, new ApiError(429, 'RATE_LIMITED', 'Too many events'), ack);
    tokens -= 1;
    if (!Object.hasOwn(handlers, event)) return reject(socket, event, badRequest('Unknown event'), ack);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || Buffer.isBuffer(payload)) {
      return reject(socket, event, badRequest('Payload must be a JSON object'), ack);
    }
    next();
  });

  for (const [event, handler] of Object.entries(handlers)) {
    socket.on(event, (payload, ...rest) => {
      const ack = typeof rest.at(-1) === 'function' ? rest.at(-1) : null;
      try {
        const answer = handler(socket, payload);
        if (ack) ack({ ok: true, ...answer });
      } catch (err) {
        reject(socket, event, err, ack);
      }
    });
  }

  socket.on('disconnect', () => {
    clearTimeout(expiry);
    for (const chatId of socket.data.chats) announceActiveUsers(chatId);
    const left = onlineSockets.get(user._id) - 1;
    if (left > 0) return onlineSockets.set(user._id, left);
    onlineSockets.delete(user._id);
    user.status = 'offline';
    user.lastSeen = now();
    io.emit('user:offline', { userId: user._id, lastSeen: user.lastSeen });
  });
});

// ---------------------------------------------------------------------------------------------
// Start and stop

server.listen(config.port, config.host, () => {
  const { address, port } = server.address();
  console.log(`listening on ${address}:${port}`);
});

function shutdown() {
  io.close(() => process.exit(0)); // closes the HTTP server too
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
