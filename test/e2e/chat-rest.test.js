'use strict';
// REST API of the chat (API.md "REST", "Authentication", "Identifiers and objects") against
// the real confab binary: accounts, tokens, users, chats, participants, history paging.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const C = require('./lib/confab');

// History paging needs >100 messages: lift the per-socket rate limit for this file.
const srv = C.useServer({ extraArgs: ['--rate-limit-per-sec', '10000', '--rate-limit-burst', '10000', '--durability', 'async'] });
const S = () => srv.server;

describe('health', () => {
  test('GET /healthz is 200 {"status":"ok"}', async () => {
    const res = await C.api(S(), 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /application\/json/);
    assert.deepEqual(res.json, { status: 'ok' });
  });

  test('HEAD /healthz is 200 without a body (as Express answers HEAD for GET routes)', async () => {
    const res = await C.api(S(), 'HEAD', '/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });

  test('Expect: 100-continue is answered 100 Continue before the body is sent, as Node does', async () => {
    const body = JSON.stringify({ username: 'nobody-here', password: 'x'.repeat(2000) });
    const sock = net.connect(S().port, '127.0.0.1');
    let received = '';
    sock.on('data', (d) => (received += d));
    sock.on('error', () => {});
    const waitFor = async (re, what) => {
      for (let waited = 0; !re.test(received); waited += 10) {
        if (waited > 900) assert.fail(`${what}: got ${JSON.stringify(received)}`);
        await C.sleep(10);
      }
    };
    sock.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/, 'no 100 Continue');
    sock.write(body);
    await waitFor(/\r\n\r\nHTTP\/1\.1 401 /, 'no final answer');
    sock.destroy();
  });

  // Sends `raw` on a connection of its own; resolves with all it got until the server closed.
  const rawExchange = (raw) => new Promise((resolve) => {
    const sock = net.connect(S().port, '127.0.0.1');
    let received = '';
    sock.on('data', (d) => (received += d));
    sock.on('error', () => {});
    sock.on('close', () => resolve(received));
    sock.write(raw);
    setTimeout(() => sock.destroy(), 3000);
  });

  test('ambiguous framing (Transfer-Encoding not ending in chunked, or beside Content-Length) is 400 and a close', async () => {
    const smuggled = 'GET /api/users/me HTTP/1.1\r\nHost: x\r\n\r\n';
    for (const te of ['gzip', 'chunked, gzip', 'identity', 'xchunked', 'chunked']) {
      const received = await rawExchange(
        `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${te}\r\nContent-Length: 2\r\n\r\n{}${smuggled}`,
      );
      assert.match(received, /^HTTP\/1\.1 400 Bad Request\r\n/, `${te}: ${received}`);
      assert.equal(received.match(/HTTP\/1\.1 /g).length, 1, `${te}: a second request was read: ${received}`);
    }
    // chunked alone frames the body, as ever.
    const chunked = await rawExchange(
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    );
    assert.match(chunked, /^HTTP\/1\.1 400 .*"code":"BAD_REQUEST"/s, chunked);
  });

  test('HTTP/1.1 without Host is 400, as from Node; HTTP/1.0 needs none', async () => {
    assert.match(await rawExchange('GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.match(await rawExchange('GET /healthz HTTP/1.0\r\n\r\n'), /^HTTP\/1\.0 200 /);
  });

  test('GET /metrics is 200 Prometheus text', async () => {
    const res = await C.api(S(), 'GET', '/metrics');
    assert.equal(res.status, 200, `${res.status} ${res.text.slice(0, 200)}`);
    assert.match(res.headers.get('content-type') || '', /^text\/plain/);
    assert.match(res.text, /^# (HELP|TYPE) \S+/m);
  });

  test('a REST body over --max-payload (default 1e6 bytes) is a 413 JSON error', async () => {
    const res = await C.api(S(), 'POST', '/api/auth/register', { rawBody: JSON.stringify({ username: 'x'.repeat(1100000) }) });
    C.assertApiError(res, 413);
  });

  test('an unknown /api route is a 404 JSON error', async () => {
    const res = await C.api(S(), 'GET', '/api/no-such-route');
    C.assertApiError(res, 404);
  });
});

describe('register', () => {
  test('201 {token, user}; user has the contract fields and no password/hash', async () => {
    const username = C.uniqueName('Reg');
    const email = `${username.toLowerCase()}@example.com`;
    const res = await C.api(S(), 'POST', '/api/auth/register', { body: { username, email, password: C.PASSWORD } });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.json).sort(), ['token', 'user']);
    C.assertUser(res.json.user);
    assert.equal(res.json.user.username, username);
    assert.equal(res.json.user.email, email);
    assert.ok(!/password|hash|salt/i.test(res.text), `register answer leaks a secret field: ${res.text}`);
    assert.ok(!res.text.includes(C.PASSWORD), 'register answer contains the password');
    // The token: HS256 JWT with userId, username, iat, exp (7 days by default).
    const { header, payload } = C.decodeJwt(res.json.token);
    assert.equal(header.alg, 'HS256');
    C.assertId(payload.userId, 'token userId');
    assert.equal(payload.userId, res.json.user._id);
    assert.equal(payload.username, username);
    assert.ok(Number.isInteger(payload.iat) && Number.isInteger(payload.exp), JSON.stringify(payload));
    assert.equal(payload.exp - payload.iat, 7 * 24 * 3600);
    assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 60, `iat ${payload.iat} is not now`);
    // The token works right away.
    const me = await C.api(S(), 'GET', '/api/users/me', { token: res.json.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json._id, res.json.user._id);
  });

  test('ids are 24 lowercase hex and sort by creation time', async () => {
    const a = await C.register(S());
    const b = await C.register(S());
    C.assertId(a.id);
    C.assertId(b.id);
    assert.ok(a.id < b.id, `${a.id} !< ${b.id}`);
    const secs = parseInt(a.id.slice(0, 8), 16);
    assert.ok(Math.abs(secs - Date.now() / 1000) < 60, `id timestamp ${secs} is not now`);
  });

  test('duplicate username (case-insensitive) is 409', async () => {
    const a = await C.register(S(), 'Dup');
    const res = await C.api(S(), 'POST', '/api/auth/register', {
      body: { username: a.username.toUpperCase(), email: `other${a.email}`, password: C.PASSWORD },
    });
    C.assertApiError(res, 409);
    const same = await C.api(S(), 'POST', '/api/auth/register', {
      body: { username: a.username, email: `x${a.email}`, password: C.PASSWORD },
    });
    C.assertApiError(same, 409);
  });

  test('duplicate email (case-insensitive) is 409', async () => {
    const a = await C.register(S(), 'Dupe');
    const res = await C.api(S(), 'POST', '/api/auth/register', {
      body: { username: C.uniqueName('n'), email: a.email.toUpperCase(), password: C.PASSWORD },
    });
    C.assertApiError(res, 409);
  });

  const valid = () => {
    const username = C.uniqueName('v');
    return { username, email: `${username}@example.com`, password: C.PASSWORD };
  };
  const cases = [
    ['missing username', () => { const b = valid(); delete b.username; return { body: b }; }],
    ['missing email', () => { const b = valid(); delete b.email; return { body: b }; }],
    ['missing password', () => { const b = valid(); delete b.password; return { body: b }; }],
    ['empty object', () => ({ body: {} })],
    ['bad email (no @)', () => ({ body: { ...valid(), email: 'not-an-email' } })],
    ['bad email (no domain)', () => ({ body: { ...valid(), email: 'someone@' } })],
    ['username not a string', () => ({ body: { ...valid(), username: 12345 } })],
    ['password not a string', () => ({ body: { ...valid(), password: ['x'] } })],
    ['non-JSON body', () => ({ rawBody: '{"username": "abc", ' })],
    ['JSON array body', () => ({ rawBody: JSON.stringify([valid()]) })],
    ['JSON string body', () => ({ rawBody: '"hello"' })],
    ['empty body', () => ({ rawBody: '' })],
  ];
  for (const [name, make] of cases) {
    test(`400 for ${name}`, async () => {
      const res = await C.api(S(), 'POST', '/api/auth/register', make());
      C.assertApiError(res, 400, 'BAD_REQUEST');
    });
  }

  test('usernames of up to 64 characters, such as "user_" + a UUID, are accepted; 65 are not', async () => {
    const uuid = require('node:crypto').randomUUID();
    for (const username of [`user_${uuid}`, `u${uuid.replace(/-/g, '')}${'x'.repeat(31)}`]) {
      const res = await C.api(S(), 'POST', '/api/auth/register', {
        body: { username, email: `${username}@example.com`, password: C.PASSWORD },
      });
      assert.equal(res.status, 201, `${username.length} characters: ${res.text}`);
      assert.equal(res.json.user.username, username);
    }
    const long = `u${'x'.repeat(64)}`;
    const res = await C.api(S(), 'POST', '/api/auth/register', {
      body: { username: long, email: `${long}@example.com`, password: C.PASSWORD },
    });
    C.assertApiError(res, 400, 'BAD_REQUEST');
  });

  test('a rejected registration creates nothing (the username stays free)', async () => {
    const b = valid();
    const bad = await C.api(S(), 'POST', '/api/auth/register', { body: { ...b, email: 'nope' } });
    C.assertApiError(bad, 400);
    const good = await C.api(S(), 'POST', '/api/auth/register', { body: b });
    assert.equal(good.status, 201, good.text);
  });

  test('a JSON body led by a byte order mark is read, as Express reads it', async () => {
    const b = valid();
    const res = await C.api(S(), 'POST', '/api/auth/register', { rawBody: `\uFEFF${JSON.stringify(b)}` });
    assert.equal(res.status, 201, res.text);
  });
});

describe('login', () => {
  test('by email and by username: 200 {token, user}', async () => {
    const a = await C.register(S());
    for (const body of [{ email: a.email, password: a.password }, { username: a.username, password: a.password }]) {
      const res = await C.api(S(), 'POST', '/api/auth/login', { body });
      assert.equal(res.status, 200, `${JSON.stringify(body)}: ${res.text}`);
      assert.deepEqual(Object.keys(res.json).sort(), ['token', 'user']);
      C.assertUser(res.json.user);
      assert.equal(res.json.user._id, a.id);
      assert.ok(!/password|hash|salt/i.test(res.text), res.text);
      const me = await C.api(S(), 'GET', '/api/users/me', { token: res.json.token });
      assert.equal(me.status, 200);
      assert.equal(me.json._id, a.id);
    }
  });

  test('wrong password, unknown user: 401 JSON error', async () => {
    const a = await C.register(S());
    C.assertApiError(await C.api(S(), 'POST', '/api/auth/login', { body: { email: a.email, password: 'wrong-password' } }), 401);
    C.assertApiError(await C.api(S(), 'POST', '/api/auth/login', { body: { username: a.username, password: 'wrong-password' } }), 401);
    C.assertApiError(await C.api(S(), 'POST', '/api/auth/login', { body: { email: 'nobody-here@example.com', password: a.password } }), 401);
    C.assertApiError(await C.api(S(), 'POST', '/api/auth/login', { body: { username: 'nobodyhere42', password: a.password } }), 401);
  });

  test('malformed login bodies: 400 (or 401), never 2xx/5xx', async () => {
    for (const opts of [{ body: {} }, { rawBody: 'nope' }, { rawBody: '[]' }, { body: { email: 'x@example.com' } }]) {
      const res = await C.api(S(), 'POST', '/api/auth/login', opts);
      C.assertApiError(res, [400, 401]);
    }
  });
});

describe('tokens on REST', () => {
  let a;
  test('setup', async () => {
    a = await C.register(S());
  });

  test('GET /api/users/me with a token: 200 user', async () => {
    const res = await C.api(S(), 'GET', '/api/users/me', { token: a.token });
    assert.equal(res.status, 200, res.text);
    C.assertUser(res.json);
    assert.equal(res.json._id, a.id);
    assert.equal(res.json.username, a.username);
    assert.equal(res.json.email, a.email);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const bad = {
    'no Authorization header': () => ({}),
    'an empty Bearer token': () => ({ headers: { authorization: 'Bearer ' } }),
    'a non-Bearer scheme': () => ({ headers: { authorization: `Basic ${a.token}` } }),
    'garbage token': () => ({ token: 'not.a.jwt' }),
    'a token signed with another secret': () => ({
      token: C.signJwt({ userId: a.id, username: a.username, iat: now(), exp: now() + 3600 }, { secret: 'another-secret' }),
    }),
    'alg none': () => ({ token: C.signJwt({ userId: a.id, username: a.username, iat: now(), exp: now() + 3600 }, { alg: 'none' }) }),
    'alg none with the real signature': () => {
      const good = C.signJwt({ userId: a.id, username: a.username, iat: now(), exp: now() + 3600 });
      const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      return { token: [h, ...good.split('.').slice(1)].join('.') };
    },
    'an expired token': () => ({ token: C.signJwt({ userId: a.id, username: a.username, iat: now() - 7200, exp: now() - 3600 }) }),
    'a tampered payload': () => {
      const [h, , sig] = a.token.split('.');
      const p = Buffer.from(JSON.stringify({ userId: a.id, username: 'admin', iat: now(), exp: now() + 99999 })).toString('base64url');
      return { token: `${h}.${p}.${sig}` };
    },
    'a valid signature but a malformed userId': () => ({ token: C.signJwt({ userId: 'abc', username: a.username, iat: now(), exp: now() + 3600 }) }),
    'a valid signature but no userId': () => ({ token: C.signJwt({ username: a.username, iat: now(), exp: now() + 3600 }) }),
    'a valid signature but no exp (a token that would never die)': () => ({ token: C.signJwt({ userId: a.id, username: a.username, iat: now() }) }),
    'a valid signature for an unknown userId': () => ({
      token: C.signJwt({ userId: 'ffffffffffffffffffffffff', username: 'ghost', iat: now(), exp: now() + 3600 }),
    }),
  };
  for (const [name, make] of Object.entries(bad)) {
    test(`401 JSON error for ${name}`, async () => {
      const res = await C.api(S(), 'GET', '/api/users/me', make());
      C.assertApiError(res, 401, 'UNAUTHORIZED');
    });
  }

  test('a token the test signs with the server secret is accepted (forging helper is sound)', async () => {
    const t = C.signJwt({ userId: a.id, username: a.username, iat: now(), exp: now() + 3600 });
    const res = await C.api(S(), 'GET', '/api/users/me', { token: t });
    assert.equal(res.status, 200, res.text);
  });

  test('every protected route needs a token', async () => {
    const id = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    for (const [m, p] of [
      ['GET', '/api/users'],
      ['GET', '/api/chats'],
      ['POST', '/api/chats'],
      ['GET', `/api/chats/${id}`],
      ['GET', `/api/chats/${id}/messages`],
      ['POST', `/api/chats/${id}/participants`],
      ['DELETE', `/api/chats/${id}/participants/${id}`],
    ]) {
      const res = await C.api(S(), m, p, { body: m === 'POST' ? {} : undefined });
      C.assertApiError(res, 401, 'UNAUTHORIZED');
    }
  });
});

describe('users search', () => {
  test('?search=prefix returns matching users with the user shape, ?limit caps', async () => {
    const prefix = `srch${Math.random().toString(36).slice(2, 7)}`;
    const users = [];
    for (let i = 0; i < 3; i += 1) {
      const username = `${prefix}${i}`;
      const res = await C.api(S(), 'POST', '/api/auth/register', {
        body: { username, email: `${username}@example.com`, password: C.PASSWORD },
      });
      assert.equal(res.status, 201, res.text);
      users.push(res.json);
    }
    const other = await C.register(S(), 'zz');
    const res = await C.api(S(), 'GET', `/api/users?search=${prefix}`, { token: other.token });
    assert.equal(res.status, 200, res.text);
    assert.ok(Array.isArray(res.json), res.text);
    res.json.forEach((u) => C.assertUser(u, 'search result'));
    assert.deepEqual(res.json.map((u) => u.username).sort(), users.map((u) => u.user.username).sort());
    assert.ok(!/password|hash|salt/i.test(res.text), res.text);

    const limited = await C.api(S(), 'GET', `/api/users?search=${prefix}&limit=2`, { token: other.token });
    assert.equal(limited.status, 200, limited.text);
    assert.equal(limited.json.length, 2);
    limited.json.forEach((u) => assert.ok(u.username.startsWith(prefix)));

    const none = await C.api(S(), 'GET', `/api/users?search=${prefix}nomatch`, { token: other.token });
    assert.equal(none.status, 200);
    assert.deepEqual(none.json, []);

    // A prefix, not a substring.
    const infix = await C.api(S(), 'GET', `/api/users?search=${prefix.slice(2)}`, { token: other.token });
    assert.equal(infix.status, 200);
    assert.ok(!infix.json.some((u) => u.username.startsWith(prefix)), `substring matched: ${infix.text}`);
  });
});

describe('users search, more', () => {
  test('without ?limit at most 20 are returned', async () => {
    const prefix = `lim${Math.random().toString(36).slice(2, 7)}`;
    await Promise.all(
      Array.from({ length: 22 }, (_, i) =>
        C.api(S(), 'POST', '/api/auth/register', { body: { username: `${prefix}${i}`, email: `${prefix}${i}@example.com`, password: C.PASSWORD } }),
      ),
    );
    const viewer = await C.register(S(), 'vw');
    const res = await C.api(S(), 'GET', `/api/users?search=${prefix}`, { token: viewer.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.length, 20);
  });

  test('search characters are literal (no pattern injection)', async () => {
    const tag = Math.random().toString(36).slice(2, 7);
    const dotted = `d.t${tag}`;
    const plain = `dxt${tag}`;
    for (const username of [dotted, plain]) {
      const r = await C.api(S(), 'POST', '/api/auth/register', { body: { username, email: `${username}@example.com`, password: C.PASSWORD } });
      assert.equal(r.status, 201, r.text);
    }
    const viewer = await C.register(S(), 'vw');
    const dot = await C.api(S(), 'GET', `/api/users?search=${encodeURIComponent('d.t')}${tag}`, { token: viewer.token });
    assert.equal(dot.status, 200, dot.text);
    assert.deepEqual(dot.json.map((u) => u.username), [dotted], `'.' matched other characters: ${dot.text}`);
    for (const pattern of ['.*', '%', '^', '[', '(', '\\', '*']) {
      const res = await C.api(S(), 'GET', `/api/users?search=${encodeURIComponent(pattern)}`, { token: viewer.token });
      assert.equal(res.status, 200, `${pattern}: ${res.status} ${res.text}`);
      assert.deepEqual(res.json, [], `search '${pattern}' matched: ${res.text.slice(0, 200)}`);
    }
  });
});

describe('CORS on REST', () => {
  const origin = 'http://localhost:3000';
  test('preflight from the allowed origin: 204 with credentials and the methods', async () => {
    const res = await C.api(S(), 'OPTIONS', '/api/chats', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    assert.ok([200, 204].includes(res.status), `${res.status} ${res.text}`);
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    const methods = (res.headers.get('access-control-allow-methods') || '').toUpperCase();
    assert.ok(methods.includes('GET') && methods.includes('POST'), methods);
    assert.match((res.headers.get('access-control-allow-headers') || '').toLowerCase(), /authorization/);
  });

  test('answers carry the CORS headers for the allowed origin, not for others', async () => {
    const ok = await C.api(S(), 'GET', '/api/users/me', { headers: { origin } });
    assert.equal(ok.headers.get('access-control-allow-origin'), origin);
    assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
    const evil = await C.api(S(), 'GET', '/api/users/me', { headers: { origin: 'http://evil.example' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    assert.equal(evil.headers.get('vary'), 'Origin', 'a shared cache must key on the origin');
  });
});

describe('chats', () => {
  let a;
  let b;
  let c;
  let outsider;
  test('setup', async () => {
    [a, b, c, outsider] = await Promise.all([C.register(S(), 'ca'), C.register(S(), 'cb'), C.register(S(), 'cc'), C.register(S(), 'co')]);
  });

  test('create a group: 201 chat, creator included and admin', async () => {
    const res = await C.api(S(), 'POST', '/api/chats', { token: a.token, body: { type: 'group', name: 'The group', participantIds: [b.id, c.id] } });
    assert.equal(res.status, 201, res.text);
    const chat = res.json;
    C.assertChat(chat);
    assert.equal(chat.type, 'group');
    assert.equal(chat.name, 'The group');
    assert.deepEqual([...chat.participants].sort(), [a.id, b.id, c.id].sort());
    assert.deepEqual(chat.admins, [a.id]);
    assert.equal(chat.createdBy, a.id);
    assert.equal(chat.lastMessage, null);
    assert.equal(chat.unreadCount, 0);
  });

  test('create a direct chat: 201; the same pair again (either side) is 200 with the same _id', async () => {
    const first = await C.api(S(), 'POST', '/api/chats', { token: a.token, body: { type: 'direct', participantIds: [b.id] } });
    assert.equal(first.status, 201, first.text);
    C.assertChat(first.json);
    assert.equal(first.json.type, 'direct');
    assert.deepEqual([...first.json.participants].sort(), [a.id, b.id].sort());
    const again = await C.api(S(), 'POST', '/api/chats', { token: a.token, body: { type: 'direct', participantIds: [b.id] } });
    assert.equal(again.status, 200, again.text);
    C.assertChat(again.json);
    assert.equal(again.json._id, first.json._id);
    const reverse = await C.api(S(), 'POST', '/api/chats', { token: b.token, body: { type: 'direct', participantIds: [a.id] } });
    assert.equal(reverse.status, 200, reverse.text);
    assert.equal(reverse.json._id, first.json._id);
    // Only one direct chat between them in the lists.
    const list = await C.api(S(), 'GET', '/api/chats', { token: b.token });
    assert.equal(list.json.filter((ch) => ch.type === 'direct' && ch.participants.includes(a.id)).length, 1);
  });

  test('invalid chat bodies: 400', async () => {
    for (const body of [
      {},
      { type: 'party', participantIds: [b.id] },
      { type: 'group', name: 'no participantIds' },
      { type: 'group', name: 'x', participantIds: null },
      { type: 'group', name: 'x', participantIds: 'nope' },
      { type: 'group', name: 'x', participantIds: ['not-an-id'] },
      { type: 'direct', participantIds: [] },
      { type: 'direct', participantIds: [b.id, c.id] },
    ]) {
      const res = await C.api(S(), 'POST', '/api/chats', { token: a.token, body });
      C.assertApiError(res, 400, 'BAD_REQUEST');
    }
    C.assertApiError(await C.api(S(), 'POST', '/api/chats', { token: a.token, rawBody: '[1,2]' }), 400, 'BAD_REQUEST');
    C.assertApiError(await C.api(S(), 'POST', '/api/chats', { token: a.token, rawBody: '{bad' }), 400, 'BAD_REQUEST');
  });

  test('a group without a name is accepted (name is optional)', async () => {
    const res = await C.api(S(), 'POST', '/api/chats', { token: a.token, body: { type: 'group', participantIds: [b.id] } });
    assert.equal(res.status, 201, res.text);
    C.assertChat(res.json);
  });

  test('the creator and duplicates in participantIds are not duplicated', async () => {
    const res = await C.api(S(), 'POST', '/api/chats', {
      token: a.token,
      body: { type: 'group', name: 'dups', participantIds: [b.id, a.id, b.id, c.id] },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual([...res.json.participants].sort(), [a.id, b.id, c.id].sort());
  });

  test('a direct chat with oneself is refused (400)', async () => {
    const res = await C.api(S(), 'POST', '/api/chats', { token: a.token, body: { type: 'direct', participantIds: [a.id] } });
    C.assertApiError(res, 400);
  });

  test('a JSON body with a lone surrogate escape gets 201 or a 400 JSON error', async () => {
    const res = await C.api(S(), 'POST', '/api/chats', { token: a.token, rawBody: JSON.stringify({ type: 'group', name: 'x\ud800', participantIds: [b.id] }) });
    if (res.status !== 201) C.assertApiError(res, 400, 'BAD_REQUEST');
  });

  test('a chat with an unknown participant id is rejected (400 or 404)', async () => {
    const res = await C.api(S(), 'POST', '/api/chats', {
      token: a.token,
      body: { type: 'group', name: 'ghosts', participantIds: ['ffffffffffffffffffffffff'] },
    });
    C.assertApiError(res, [400, 404]);
  });

  test('get chat: 200 participant, 403 non-participant, 404 unknown, 400/404 malformed id', async () => {
    const chat = await C.createChat(S(), a, { participants: [b] });
    const got = await C.api(S(), 'GET', `/api/chats/${chat._id}`, { token: b.token });
    assert.equal(got.status, 200, got.text);
    C.assertChat(got.json);
    assert.equal(got.json._id, chat._id);
    C.assertApiError(await C.api(S(), 'GET', `/api/chats/${chat._id}`, { token: outsider.token }), 403, 'FORBIDDEN');
    C.assertApiError(await C.api(S(), 'GET', '/api/chats/0123456789abcdef01234567', { token: a.token }), 404, 'NOT_FOUND');
    for (const bad of ['xyz', '0123456789abcdef0123456', '0123456789abcdef012345678', 'zzzzzzzzzzzzzzzzzzzzzzzz', chat._id.toUpperCase()]) {
      C.assertApiError(await C.api(S(), 'GET', `/api/chats/${bad}`, { token: a.token }), [400, 404]);
    }
    C.assertApiError(await C.api(S(), 'GET', `/api/chats/${chat._id}/messages`, { token: outsider.token }), 403, 'FORBIDDEN');
    C.assertApiError(await C.api(S(), 'GET', '/api/chats/0123456789abcdef01234567/messages', { token: a.token }), 404, 'NOT_FOUND');
  });

  test('list: only own chats, most recent activity first, lastMessage and unreadCount', async () => {
    const u = await C.register(S(), 'lst');
    const v = await C.register(S(), 'lsv');
    const first = await C.createChat(S(), u, { participants: [v], name: 'first' });
    const second = await C.createChat(S(), u, { participants: [v], name: 'second' });
    const third = await C.createChat(S(), u, { participants: [v], name: 'third' });
    const notMine = await C.createChat(S(), a, { participants: [b], name: 'not mine' });

    let list = await C.api(S(), 'GET', '/api/chats', { token: u.token });
    assert.equal(list.status, 200, list.text);
    list.json.forEach((ch) => C.assertChat(ch, 'listed chat'));
    assert.ok(!list.json.some((ch) => ch._id === notMine._id), 'lists a chat of others');
    assert.deepEqual(list.json.map((ch) => ch.name), ['third', 'second', 'first'], 'newest chat first when no messages');

    // A message in the first chat moves it to the top.
    const sock = await C.connectSocket(null, S(), v.token);
    try {
      const m = await C.post(sock, first._id, 'hello from v');
      list = await C.api(S(), 'GET', '/api/chats', { token: u.token });
      assert.deepEqual(list.json.map((ch) => ch.name), ['first', 'third', 'second']);
      const top = list.json[0];
      C.assertChat(top);
      assert.ok(top.lastMessage, 'lastMessage is null after a message');
      assert.equal(top.lastMessage._id, m.messageId);
      assert.equal(top.lastMessage.content, 'hello from v');
      assert.equal(top.unreadCount, 1, 'one unread message for u');
      assert.equal(list.json[1].unreadCount, 0);
      const vList = await C.api(S(), 'GET', '/api/chats', { token: v.token });
      assert.equal(vList.json.find((ch) => ch._id === first._id).unreadCount, 0, "the sender's own message is not unread");
      // GET /api/chats/:id agrees.
      const one = await C.chatOf(S(), u, first._id);
      assert.equal(one.lastMessage._id, m.messageId);
      assert.equal(one.unreadCount, 1);
      // Then a message in the second chat.
      await C.post(sock, second._id, 'then second');
      list = await C.api(S(), 'GET', '/api/chats', { token: u.token });
      assert.deepEqual(list.json.map((ch) => ch.name), ['second', 'first', 'third']);
      // A member added to the third chat is a change too: the list stays sorted by updatedAt.
      const w = await C.register(S(), 'lsw');
      await C.sleep(5);
      const added = await C.api(S(), 'POST', `/api/chats/${third._id}/participants`, { token: u.token, body: { userId: w.id } });
      assert.equal(added.status, 200, added.text);
      list = await C.api(S(), 'GET', '/api/chats', { token: u.token });
      assert.deepEqual(list.json.map((ch) => ch.name), ['third', 'second', 'first']);
      const times = list.json.map((ch) => Date.parse(ch.updatedAt));
      assert.deepEqual(times, [...times].sort((x, y) => y - x), 'sorted by updatedAt, newest first');
    } finally {
      sock.disconnect();
    }
  });
});

describe('participants', () => {
  let a;
  let b;
  let c;
  let d;
  test('setup', async () => {
    [a, b, c, d] = await Promise.all([C.register(S(), 'pa'), C.register(S(), 'pb'), C.register(S(), 'pc'), C.register(S(), 'pd')]);
  });

  test('admin adds a participant: 200 chat with the user; the user can then read the chat', async () => {
    const chat = await C.createChat(S(), a, { participants: [b] });
    C.assertApiError(await C.api(S(), 'GET', `/api/chats/${chat._id}`, { token: c.token }), 403);
    const res = await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, body: { userId: c.id } });
    assert.equal(res.status, 200, res.text);
    C.assertChat(res.json);
    assert.deepEqual([...res.json.participants].sort(), [a.id, b.id, c.id].sort());
    assert.deepEqual(res.json.admins, [a.id]);
    assert.equal((await C.api(S(), 'GET', `/api/chats/${chat._id}`, { token: c.token })).status, 200);
  });

  test('a member (not admin) adding is 403; an outsider adding is 403; the chat is unchanged', async () => {
    const chat = await C.createChat(S(), a, { participants: [b] });
    C.assertApiError(await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: b.token, body: { userId: d.id } }), 403, 'FORBIDDEN');
    C.assertApiError(await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: d.token, body: { userId: d.id } }), 403, 'FORBIDDEN');
    const now = await C.chatOf(S(), a, chat._id);
    assert.deepEqual([...now.participants].sort(), [a.id, b.id].sort());
  });

  test('adding: bad bodies 400, unknown or malformed user id 404 (API.md), unknown chat 404', async () => {
    const chat = await C.createChat(S(), a, { participants: [b] });
    C.assertApiError(await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, body: {} }), 400);
    C.assertApiError(await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, body: { userId: 'nope' } }), 404, 'NOT_FOUND');
    C.assertApiError(await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, rawBody: '[]' }), 400);
    C.assertApiError(
      await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, body: { userId: 'ffffffffffffffffffffffff' } }),
      404,
    );
    C.assertApiError(
      await C.api(S(), 'POST', '/api/chats/0123456789abcdef01234567/participants', { token: a.token, body: { userId: c.id } }),
      404,
    );
  });

  test('adding an existing participant does not duplicate it', async () => {
    const chat = await C.createChat(S(), a, { participants: [b] });
    const res = await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: a.token, body: { userId: b.id } });
    assert.ok([200, 409].includes(res.status), `${res.status} ${res.text}`);
    const now = await C.chatOf(S(), a, chat._id);
    assert.equal(now.participants.filter((p) => p === b.id).length, 1, JSON.stringify(now.participants));
  });

  test('adding to a direct chat is refused (4xx)', async () => {
    const direct = (await C.api(S(), 'POST', '/api/chats', { token: a.token, body: { type: 'direct', participantIds: [d.id] } })).json;
    const res = await C.api(S(), 'POST', `/api/chats/${direct._id}/participants`, { token: a.token, body: { userId: c.id } });
    C.assertApiError(res, [400, 403]);
  });

  test('remove: admin removes a member (200); a member removes itself (200); a member removing another is 403', async () => {
    const chat = await C.createChat(S(), a, { participants: [b, c, d] });
    // Member b cannot remove c.
    C.assertApiError(await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${c.id}`, { token: b.token }), 403, 'FORBIDDEN');
    // Member b cannot remove the admin.
    C.assertApiError(await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${a.id}`, { token: b.token }), 403, 'FORBIDDEN');
    // Admin removes c.
    let res = await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${c.id}`, { token: a.token });
    assert.equal(res.status, 200, res.text);
    C.assertChat(res.json);
    assert.deepEqual([...res.json.participants].sort(), [a.id, b.id, d.id].sort());
    C.assertApiError(await C.api(S(), 'GET', `/api/chats/${chat._id}`, { token: c.token }), 403);
    C.assertApiError(await C.api(S(), 'GET', `/api/chats/${chat._id}/messages`, { token: c.token }), 403);
    // c, no longer a participant, cannot remove anyone.
    C.assertApiError(await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${d.id}`, { token: c.token }), 403);
    // d leaves.
    res = await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${d.id}`, { token: d.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([...res.json.participants].sort(), [a.id, b.id].sort());
    const list = await C.api(S(), 'GET', '/api/chats', { token: d.token });
    assert.ok(!list.json.some((ch) => ch._id === chat._id), 'a removed user still lists the chat');
    // Removing someone who is not a participant: 404 (or 400), never 200 with a change.
    const gone = await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${c.id}`, { token: a.token });
    assert.ok([200, 400, 404].includes(gone.status), `${gone.status} ${gone.text}`);
    const final = await C.chatOf(S(), a, chat._id);
    assert.deepEqual([...final.participants].sort(), [a.id, b.id].sort());
  });

  test('the last admin leaving makes the first remaining participant admin, who can then add', async () => {
    const chat = await C.createChat(S(), a, { participants: [b, c] });
    const res = await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/${a.id}`, { token: a.token });
    assert.equal(res.status, 200, res.text);
    const heir = [b.id, c.id].sort()[0];
    assert.deepEqual(res.json.admins, [heir]);
    const byHeir = heir === b.id ? b : c;
    const added = await C.api(S(), 'POST', `/api/chats/${chat._id}/participants`, { token: byHeir.token, body: { userId: d.id } });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.json.admins, [heir]);
  });

  test('remove: malformed ids 400/404, unknown chat 404', async () => {
    const chat = await C.createChat(S(), a, { participants: [b] });
    C.assertApiError(await C.api(S(), 'DELETE', `/api/chats/${chat._id}/participants/xyz`, { token: a.token }), [400, 404]);
    C.assertApiError(await C.api(S(), 'DELETE', `/api/chats/xyz/participants/${b.id}`, { token: a.token }), [400, 404]);
    C.assertApiError(await C.api(S(), 'DELETE', `/api/chats/0123456789abcdef01234567/participants/${b.id}`, { token: a.token }), 404);
  });
});

describe('history', () => {
  let a;
  let b;
  let chat;
  let sent; // messages in send order
  test('setup: 105 messages', async (t) => {
    [a, b] = await Promise.all([C.register(S(), 'ha'), C.register(S(), 'hb')]);
    chat = await C.createChat(S(), a, { participants: [b] });
    const sock = await C.connectSocket(t, S(), a.token);
    sent = [];
    for (let i = 0; i < 105; i += 1) {
      const ack = await C.sendMessage(sock, chat._id, `msg ${i}`);
      C.assertOk(ack, `send ${i}`);
    }
    const h = await C.history(S(), b, chat._id, '?limit=100');
    sent = h.messages;
  });

  test('default page: the newest 50, oldest first, hasMore true', async () => {
    const res = await C.api(S(), 'GET', `/api/chats/${chat._id}/messages`, { token: b.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json).sort(), ['hasMore', 'messages']);
    const { messages, hasMore } = res.json;
    assert.equal(messages.length, 50);
    assert.equal(hasMore, true);
    messages.forEach((m) => C.assertMessage(m));
    assert.deepEqual(messages.map((m) => m.content), Array.from({ length: 50 }, (_, i) => `msg ${55 + i}`));
    for (const m of messages) {
      assert.equal(m.chatId, chat._id);
      assert.deepEqual(m.senderId, { _id: a.id, username: a.username });
      assert.equal(m.messageType, 'text');
      assert.equal(m.isDeleted, false);
      assert.equal(m.isEdited, false);
    }
    const ids = messages.map((m) => m._id);
    assert.deepEqual([...ids].sort(), ids, 'ids (creation order) ascend');
  });

  test('paging with ?before walks back to the first message; hasMore false at the end', async () => {
    const seen = [];
    let before = '';
    let pages = 0;
    for (;;) {
      const q = `?limit=30${before ? `&before=${before}` : ''}`;
      const { messages, hasMore } = await C.history(S(), a, chat._id, q);
      pages += 1;
      assert.ok(messages.length <= 30);
      seen.unshift(...messages.map((m) => m.content));
      if (!hasMore) break;
      assert.equal(messages.length, 30, 'a page with hasMore must be full');
      before = messages[0]._id;
      assert.ok(pages < 10, 'too many pages');
    }
    assert.equal(pages, 4);
    assert.deepEqual(seen, Array.from({ length: 105 }, (_, i) => `msg ${i}`));
  });

  test('before= the 3rd message gives the first two, hasMore false', async () => {
    const all = await C.history(S(), a, chat._id, '?limit=100');
    // the oldest 5 are not in the newest 100
    assert.equal(all.messages[0].content, 'msg 5');
    const third = (await C.history(S(), a, chat._id, `?before=${all.messages[0]._id}&limit=3`)).messages;
    assert.deepEqual(third.map((m) => m.content), ['msg 2', 'msg 3', 'msg 4']);
    const firstTwo = await C.history(S(), a, chat._id, `?before=${third[0]._id}&limit=10`);
    assert.deepEqual(firstTwo.messages.map((m) => m.content), ['msg 0', 'msg 1']);
    assert.equal(firstTwo.hasMore, false);
  });

  test('limit > 100 is capped at 100', async () => {
    const res = await C.api(S(), 'GET', `/api/chats/${chat._id}/messages?limit=500`, { token: a.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.messages.length, 100);
    assert.equal(res.json.hasMore, true);
    assert.equal(res.json.messages[99].content, 'msg 104');
  });

  test('limit = exact remaining count: hasMore is false', async () => {
    const page = await C.history(S(), a, chat._id, '?limit=100');
    const rest = await C.history(S(), a, chat._id, `?before=${page.messages[0]._id}&limit=5`);
    assert.equal(rest.messages.length, 5);
    assert.equal(rest.hasMore, false);
  });

  test('bad paging parameters: 400 (or ignored), never 5xx', async () => {
    for (const q of ['?limit=abc', '?limit=-1', '?before=xyz', '?limit=0']) {
      const res = await C.api(S(), 'GET', `/api/chats/${chat._id}/messages${q}`, { token: a.token });
      assert.ok([200, 400].includes(res.status), `${q}: ${res.status} ${res.text}`);
      if (res.status === 400) C.assertApiError(res, 400);
      else assert.ok(Array.isArray(res.json.messages), `${q}: ${res.text}`);
    }
  });

  test('an empty chat has {messages: [], hasMore: false}', async () => {
    const empty = await C.createChat(S(), a, { participants: [b] });
    assert.deepEqual(await C.history(S(), a, empty._id), { messages: [], hasMore: false });
  });

  test('a history Message has exactly the fields of the contract (no extras)', () => {
    assert.equal(sent.length, 100);
    C.assertMessage(sent[0], 'history message', { exact: true });
  });
});
