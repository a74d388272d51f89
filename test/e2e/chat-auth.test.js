'use strict';
// Socket.IO authentication (API.md "Authentication"): where the token may travel, what a bad
// one gets, and what happens when a token expires on a connected socket.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const C = require('./lib/confab');
const { RawSocket } = require('./lib/raw');

const srv = C.useServer();
const S = () => srv.server;
const now = () => Math.floor(Date.now() / 1000);

// The connect_error of a rejected handshake: message "Authentication error", data {code}.
function assertAuthError(err) {
  assert.equal(err.message, 'Authentication error', `connect_error message: ${err.message}`);
  assert.ok(err.data && typeof err.data === 'object', `connect_error data: ${JSON.stringify(err.data)}`);
  assert.deepEqual(err.data, { code: 'UNAUTHORIZED' }, 'exactly API.md\'s data: {code}');
}

// A connected socket works: a chat:join of the user's own chat is acked ok.
async function assertUsable(socket, chatId) {
  C.assertOk(await C.emitAck(socket, 'chat:join', { chatId }), 'chat:join after connect');
}

test('an event sent before the CONNECT is answered closes the connection, as from the reference server', async (t) => {
  const a = await C.register(S(), 'early');
  const s = new RawSocket(`${S().url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  t.after(() => s.terminate());
  assert.match(await s.next(), /^0\{/);
  const tcp = s.ws._socket; // corked: both leave in one write, before the user is looked up
  tcp.cork();
  s.send(`40${JSON.stringify({ token: a.token })}`);
  s.send('421["chat:join",{"chatId":"000000000000000000000000"}]');
  tcp.uncork();
  await s.waitClosed(2000);
  assert.ok(!s.queue.some((m) => typeof m === 'string' && m.startsWith('431')), s.queue.join(' '));
});

describe('where the token travels', () => {
  let a;
  let b;
  let chat;
  before(async () => {
    [a, b] = await Promise.all([C.register(S(), 'aa'), C.register(S(), 'ab')]);
    chat = await C.createChat(S(), a, { participants: [b] });
  });

  for (const transports of [undefined, ['polling'], ['websocket']]) {
    const tname = transports ? transports.join() : 'default transports';
    test(`auth payload {token} (${tname})`, async (t) => {
      const s = await C.connectSocket(t, S(), a.token, transports ? { transports } : {});
      await assertUsable(s, chat._id);
    });
  }

  test('Authorization: Bearer header on the handshake (extraHeaders, polling)', async (t) => {
    const s = await C.connectSocket(t, S(), undefined, {
      transports: ['polling'],
      extraHeaders: { Authorization: `Bearer ${a.token}` },
    });
    await assertUsable(s, chat._id);
  });

  test('Authorization: Bearer header, polling then upgrade to websocket', async (t) => {
    const s = await C.connectSocket(t, S(), undefined, { extraHeaders: { Authorization: `Bearer ${a.token}` } });
    await assertUsable(s, chat._id);
    if (s.io.engine.transport.name !== 'websocket') {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no upgrade within 3 s')), 3000);
        s.io.engine.once('upgrade', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await assertUsable(s, chat._id);
  });

  test('Authorization: Bearer header over a direct websocket', async (t) => {
    const s = await C.connectSocket(t, S(), undefined, { transports: ['websocket'], extraHeaders: { Authorization: `Bearer ${a.token}` } });
    await assertUsable(s, chat._id);
  });

  test('?token= query parameter', async (t) => {
    const s = await C.connectSocket(t, S(), undefined, { query: { token: a.token } });
    await assertUsable(s, chat._id);
  });

  test('?token= query parameter over a direct websocket', async (t) => {
    const s = await C.connectSocket(t, S(), undefined, { query: { token: a.token }, transports: ['websocket'] });
    await assertUsable(s, chat._id);
  });

  test('the socket acts as the token user (message:received names the sender)', async (t) => {
    const s = await C.connectSocket(t, S(), undefined, { query: { token: b.token } });
    await C.join(s, chat._id);
    const m = await C.send(s, chat._id, 'who am i');
    assert.deepEqual(m.senderId, { _id: b.id, username: b.username });
  });
});

describe('rejected handshakes: connect_error "Authentication error"', () => {
  let a;
  before(async () => {
    a = await C.register(S(), 'rj');
  });
  const cases = {
    'no token at all': () => ({}),
    'empty auth object': () => ({ auth: {} }),
    'empty token': () => ({ auth: { token: '' } }),
    'token not a string': () => ({ auth: { token: 12345 } }),
    'garbage token': () => ({ auth: { token: 'garbage' } }),
    'signed with another secret': () => ({
      auth: { token: C.signJwt({ userId: a.id, username: a.username, iat: now(), exp: now() + 3600 }, { secret: 'not-the-secret' }) },
    }),
    'alg none': () => ({ auth: { token: C.signJwt({ userId: a.id, username: a.username, iat: now(), exp: now() + 3600 }, { alg: 'none' }) } }),
    expired: () => ({ auth: { token: C.signJwt({ userId: a.id, username: a.username, iat: now() - 100, exp: now() - 10 }) } }),
    'unknown user id': () => ({
      auth: { token: C.signJwt({ userId: 'ffffffffffffffffffffffff', username: 'ghost', iat: now(), exp: now() + 3600 }) },
    }),
    'bad token in the Authorization header (polling)': () => ({
      transports: ['polling'],
      extraHeaders: { Authorization: 'Bearer nope.nope.nope' },
    }),
    'expired token in ?token=': () => ({
      query: { token: C.signJwt({ userId: a.id, username: a.username, iat: now() - 100, exp: now() - 10 }) },
    }),
    'bad token over a direct websocket': () => ({ transports: ['websocket'], auth: { token: 'x.y.z' } }),
  };
  for (const [name, make] of Object.entries(cases)) {
    test(name, async () => {
      assertAuthError(await C.connectError(S(), make()));
    });
  }

  test('a token without username, or with fractional dates (as jsonwebtoken accepts), is accepted', async (t) => {
    const onlyId = C.signJwt({ userId: a.id, exp: now() + 3600 });
    const fractional = C.signJwt({ userId: a.id, iat: Date.now() / 1000, exp: Date.now() / 1000 + 3600.5 });
    for (const token of [onlyId, fractional]) {
      const s = await C.connectSocket(t, S(), token);
      assert.ok(s.connected);
      const me = await C.api(S(), 'GET', '/api/users/me', { token });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.username, a.username, 'the username comes from the user record');
    }
  });

  test('a rejected handshake does not mark the user online nor announce it', async (t) => {
    const watcher = await C.register(S(), 'wt');
    const ws = await C.connectSocket(t, S(), watcher.token);
    const victim = await C.register(S(), 'vc');
    const bad = C.signJwt({ userId: victim.id, username: victim.username, iat: now(), exp: now() + 3600 }, { secret: 'wrong' });
    assertAuthError(await C.connectError(S(), { auth: { token: bad } }));
    await C.quiet(200);
    assert.deepEqual(ws.rec.payloads('user:online', (p) => p.userId === victim.id), []);
    const me = await C.api(S(), 'GET', '/api/users/me', { token: victim.token });
    assert.equal(me.json.status, 'offline');
  });

  test('the server keeps serving after rejected handshakes', async (t) => {
    const s = await C.connectSocket(t, S(), a.token);
    assert.ok(s.connected);
  });
});

// Resolves with { reason, at } when `socket` disconnects; rejects if it is still connected at
// `deadline` (epoch ms, capped at 10 s from now so a wrong token lifetime cannot hang the file).
function disconnectedBy(socket, deadline) {
  const ms = Math.min(Math.max(deadline - Date.now(), 0), 10000);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still connected ${ms} ms later (token expired at ${new Date(deadline - 5000).toISOString()})`)), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve({ reason, at: Date.now() });
    });
  });
}

describe('token expiry (--jwt-expires-in 3)', () => {
  let short;
  const dir = C.makeDataDir();
  before(async () => {
    short = await C.startServer({ dataDir: dir, extraArgs: ['--jwt-expires-in', '3'] });
  });
  after(async () => {
    const alive = short?.alive;
    const res = await short?.stop();
    C.removeDir(dir);
    assert.ok(alive, 'the short-token server died');
    assert.equal(res.code, 0);
  });

  test('tokens carry exp = iat + 3', async () => {
    const u = await C.register(short, 'ex');
    const { payload } = C.decodeJwt(u.token);
    assert.equal(payload.exp - payload.iat, 3);
  });

  test('a polling-only socket is disconnected at expiry too', async (t) => {
    const u = await C.register(short, 'ep');
    const { payload } = C.decodeJwt(u.token);
    const s = await C.connectSocket(t, short, u.token, { transports: ['polling'] });
    const { reason, at } = await disconnectedBy(s, payload.exp * 1000 + 5000);
    assert.ok(at >= payload.exp * 1000 - 1000, 'disconnected before expiry');
    assert.equal(reason, 'io server disconnect', `disconnect reason: ${reason}`);
  });

  test('a polling client with no GET waiting when it expires gets the disconnect, then the close, on its next GETs', async () => {
    const u = await C.register(short, 'eq');
    const { payload } = C.decodeJwt(u.token);
    const base = `${short.url}/socket.io/?EIO=4&transport=polling`;
    const open = JSON.parse((await (await fetch(base)).text()).slice(1));
    const url = `${base}&sid=${open.sid}`;
    const posted = await fetch(url, { method: 'POST', body: `40${JSON.stringify({ token: u.token })}` });
    assert.equal(await posted.text(), 'ok');
    assert.match(await (await fetch(url)).text(), /^40\{"sid":/);
    // No GET while the token expires (and well inside the ping interval and timeout).
    await new Promise((r) => setTimeout(r, Math.max(0, payload.exp * 1000 - Date.now()) + 1500));
    // The DISCONNECT in a response of its own: a client acts on a close packet at once but on
    // a message a tick later, so one response with both would read as a transport close.
    const words = await fetch(url);
    assert.equal(words.status, 200);
    assert.equal(await words.text(), '41');
    const close = await fetch(url);
    assert.equal(close.status, 200);
    assert.equal(await close.text(), '1');
    const after = await fetch(url);
    assert.equal(after.status, 400);
    assert.deepEqual(await after.json(), { code: 1, message: 'Session ID unknown' });
  });

  test('a connected socket is disconnected soon after its token expires; the token is then refused everywhere', async (t) => {
    const u = await C.register(short, 'ex');
    const other = await C.register(short, 'ey');
    const { payload } = C.decodeJwt(u.token);
    // The watcher gets a long-lived token the test signs itself with the server's secret. It
    // connects first, so the server's expiry timer, set for the watcher, must be moved earlier.
    const longToken = C.signJwt({ userId: other.id, username: other.username, iat: now(), exp: now() + 3600 });
    const watcher = await C.connectSocket(t, short, longToken);
    const s = await C.connectSocket(t, short, u.token);
    const { reason, at } = await disconnectedBy(s, payload.exp * 1000 + 5000);
    const expMs = payload.exp * 1000;
    assert.ok(at >= expMs - 1000, `disconnected ${expMs - at} ms before the token expired (${reason})`);
    assert.ok(at <= expMs + 4000, `disconnected ${at - expMs} ms after expiry`);
    assert.equal(reason, 'io server disconnect', `disconnect reason: ${reason}`);
    // Its user had no other socket: the others are told it went offline.
    const off = await watcher.rec.waitFor('user:offline', (p) => p.userId === u.id, { ms: 2000 });
    C.assertKeys(off, ['userId', 'lastSeen'], 'user:offline');
    assert.ok(watcher.connected, 'the watcher (long token) was disconnected too');
    C.assertApiError(await C.api(short, 'GET', '/api/users/me', { token: u.token }), 401, 'UNAUTHORIZED');
    assertAuthError(await C.connectError(short, { auth: { token: u.token } }));
    // Logging in again gives a fresh token that works.
    const login = await C.api(short, 'POST', '/api/auth/login', { body: { username: u.username, password: u.password } });
    assert.equal(login.status, 200, login.text);
    const again = await C.connectSocket(t, short, login.json.token);
    assert.ok(again.connected);
  });
});

describe('token lifetime settings', () => {
  // JWT_EXPIRES_IN / --jwt-expires-in: 3600, 90m, 12h, 7d; flags win over the environment.
  const cases = [
    ['--jwt-expires-in 3600', { extraArgs: ['--jwt-expires-in', '3600'] }, 3600],
    ['--jwt-expires-in 90m', { extraArgs: ['--jwt-expires-in', '90m'] }, 5400],
    ['--jwt-expires-in 12h', { extraArgs: ['--jwt-expires-in', '12h'] }, 43200],
    ['JWT_EXPIRES_IN=7d', { env: { JWT_EXPIRES_IN: '7d' } }, 604800],
    ['JWT_EXPIRES_IN=90m', { env: { JWT_EXPIRES_IN: '90m' } }, 5400],
    ['JWT_EXPIRES_IN=90m with --jwt-expires-in 12h (the flag wins)', { env: { JWT_EXPIRES_IN: '90m' }, extraArgs: ['--jwt-expires-in', '12h'] }, 43200],
  ];
  for (const [name, opts, seconds] of cases) {
    test(`${name}: exp - iat = ${seconds}`, async () => {
      const s = await C.startServer(opts);
      try {
        const u = await C.register(s, 'lt');
        const { payload } = C.decodeJwt(u.token);
        assert.equal(payload.exp - payload.iat, seconds);
      } finally {
        await s.stop();
        C.removeDir(s.dataDir);
      }
    });
  }
});
