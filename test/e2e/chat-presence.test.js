'use strict';
// Presence (API.md "Socket events" connect/disconnect rows): user:online when a user's first
// socket connects, user:offline {userId, lastSeen} when its last one goes, and the status REST
// shows.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const C = require('./lib/confab');

const srv = C.useServer();
const S = () => srv.server;

const me = async (u) => (await C.api(S(), 'GET', '/api/users/me', { token: u.token })).json;
async function searched(viewer, u) {
  const res = await C.api(S(), 'GET', `/api/users?search=${u.username}`, { token: viewer.token });
  assert.equal(res.status, 200, res.text);
  const hit = res.json.find((x) => x._id === u.id);
  assert.ok(hit, `search for ${u.username} did not find it: ${res.text}`);
  return hit;
}
const about = (u) => (p) => p && p.userId === u.id;

test('a registered user that never connected is offline', async () => {
  const u = await C.register(S(), 'pn');
  assert.equal(u.user.status, 'offline');
  assert.equal((await me(u)).status, 'offline');
});

test('first socket: user:online to the others; a second socket: no new user:online; status online', async (t) => {
  const [w, u] = await Promise.all([C.register(S(), 'pw'), C.register(S(), 'pu')]);
  const ws = await C.connectSocket(t, S(), w.token, { name: 'watcher' });
  const u1 = await C.connectSocket(t, S(), u.token, { name: 'u1' });
  const online = await ws.rec.waitFor('user:online', about(u));
  C.assertKeys(online, ['userId'], 'user:online');
  assert.deepEqual(online, { userId: u.id });
  assert.equal((await me(u)).status, 'online');
  const hit = await searched(w, u);
  C.assertUser(hit);
  assert.equal(hit.status, 'online');

  const from = ws.rec.mark();
  const u2 = await C.connectSocket(t, S(), u.token, { name: 'u2' });
  await C.quiet();
  assert.deepEqual(ws.rec.payloads('user:online', about(u), from), [], 'user:online again for a second socket');
  // The connecting user's own sockets are not told about themselves.
  assert.deepEqual(u1.rec.payloads('user:online', about(u)), [], 'u1 was told its own user is online');
  assert.deepEqual(u2.rec.payloads('user:online', about(u)), [], 'u2 was told its own user is online');
});

test('one of two sockets goes: no user:offline, still online; the last goes: user:offline {userId, lastSeen}, offline', async (t) => {
  const [w, u] = await Promise.all([C.register(S(), 'pw'), C.register(S(), 'pu')]);
  const ws = await C.connectSocket(t, S(), w.token, { name: 'watcher' });
  const u1 = await C.connectSocket(t, S(), u.token, { name: 'u1' });
  const u2 = await C.connectSocket(t, S(), u.token, { name: 'u2' });
  await ws.rec.waitFor('user:online', about(u));
  const started = Date.now();

  u1.disconnect();
  await C.quiet(300);
  assert.deepEqual(ws.rec.payloads('user:offline', about(u)), [], 'user:offline while the user still has a socket');
  assert.equal((await me(u)).status, 'online');
  assert.ok(u2.connected);

  u2.disconnect();
  const off = await ws.rec.waitFor('user:offline', about(u));
  C.assertKeys(off, ['userId', 'lastSeen'], 'user:offline');
  assert.equal(off.userId, u.id);
  C.assertIso(off.lastSeen, 'user:offline lastSeen');
  assert.ok(Date.parse(off.lastSeen) >= started - 1000 && Date.parse(off.lastSeen) <= Date.now() + 1000, `lastSeen ${off.lastSeen} is not now`);
  const after = await me(u);
  assert.equal(after.status, 'offline');
  assert.equal(after.lastSeen, off.lastSeen, 'GET /api/users/me lastSeen differs from user:offline lastSeen');
  assert.equal((await searched(w, u)).status, 'offline');
  await C.quiet(200);
  assert.equal(ws.rec.payloads('user:offline', about(u)).length, 1, 'user:offline more than once');
});

test('every other user hears presence, whatever rooms they are in', async (t) => {
  const [w1, w2, u] = await Promise.all([C.register(S(), 'pw'), C.register(S(), 'px'), C.register(S(), 'pu')]);
  const s1 = await C.connectSocket(t, S(), w1.token, { name: 'w1' });
  const s2 = await C.connectSocket(t, S(), w2.token, { name: 'w2', transports: ['websocket'] });
  const chat = await C.createChat(S(), w1, { participants: [w2] });
  await C.join(s1, chat._id);
  const us = await C.connectSocket(t, S(), u.token, { name: 'u' });
  await s1.rec.waitFor('user:online', about(u));
  await s2.rec.waitFor('user:online', about(u));
  us.disconnect();
  await s1.rec.waitFor('user:offline', about(u));
  await s2.rec.waitFor('user:offline', about(u));
});

test('two sockets connecting at once: exactly one user:online; both leaving at once: exactly one user:offline', async (t) => {
  const [w, u] = await Promise.all([C.register(S(), 'pw'), C.register(S(), 'pu')]);
  const ws = await C.connectSocket(t, S(), w.token, { name: 'watcher' });
  const socks = await Promise.all([0, 1, 2].map((i) => C.connectSocket(t, S(), u.token, { name: `u${i}`, transports: ['websocket'] })));
  await ws.rec.waitFor('user:online', about(u));
  await C.quiet(300);
  assert.equal(ws.rec.payloads('user:online', about(u)).length, 1, 'several user:online for concurrent first sockets');
  socks.forEach((s) => s.disconnect());
  await ws.rec.waitFor('user:offline', about(u));
  await C.quiet(300);
  assert.equal(ws.rec.payloads('user:offline', about(u)).length, 1, 'several user:offline for concurrent last sockets');
  assert.equal((await me(u)).status, 'offline');
});

test('a user flapping (150 connects and disconnects) is announced 60 times, then 10 a second, and ends offline; REST stays current', async (t) => {
  const [w, u] = await Promise.all([C.register(S(), 'pw'), C.register(S(), 'pf')]);
  const ws = await C.connectSocket(t, S(), w.token, { name: 'watcher' });
  const from = ws.rec.mark();
  const started = Date.now();
  for (let i = 0; i < 150; i += 1) {
    const s = await C.connectSocket(t, S(), u.token, { name: `flap ${i}`, transports: ['websocket'] });
    s.disconnect();
  }
  const flapped = (Date.now() - started) / 1000;
  const heard = () => ws.rec.list.slice(from).filter((e) => e.event.startsWith('user:o') && about(u)(e.args[0]));
  // Once the budget of 60 is spent, the final state comes within a tenth of a second.
  for (let waited = 0; heard().at(-1)?.event !== 'user:offline'; waited += 50) {
    assert.ok(waited < 4000, `no final user:offline: ${heard().map((e) => e.event).join(' ')}`);
    await C.sleep(50);
  }
  await C.quiet(300);
  const events = heard().map((e) => e.event);
  assert.ok(events.length <= 60 + 10 * Math.ceil(flapped) + 2, `${events.length} announcements in ${flapped} s: ${events.join(' ')}`);
  assert.equal(events.at(-1), 'user:offline');
  assert.equal((await me(u)).status, 'offline');

  // The budget is spent, yet the store follows a connect at once: REST is not throttled.
  for (let i = 0; i < 10; i += 1) {
    const s = await C.connectSocket(t, S(), u.token, { name: `again ${i}`, transports: ['websocket'] });
    s.disconnect();
  }
  await C.connectSocket(t, S(), u.token, { name: 'last', transports: ['websocket'] });
  let status;
  for (let waited = 0; (status = (await me(u)).status) !== 'online' && waited < 60; waited += 10) await C.sleep(10);
  assert.equal(status, 'online', 'REST lags behind a connect while announcements are throttled');
  for (let waited = 0; heard().at(-1)?.event !== 'user:online'; waited += 50) {
    assert.ok(waited < 1500, `the final user:online never came: ${heard().slice(-5).map((e) => e.event).join(' ')}`);
    await C.sleep(50);
  }
});

test('a first socket is stored online before its CONNECT reply: REST read right after connect says online', async (t) => {
  const u = await C.register(S(), 'pr');
  for (let i = 0; i < 30; i += 1) {
    const s = await C.connectSocket(t, S(), u.token, { name: `cycle ${i}`, transports: i % 2 ? ['websocket'] : ['polling'] });
    assert.equal((await me(u)).status, 'online', `cycle ${i}: offline right after connect`);
    s.disconnect();
    let status;
    for (let waited = 0; (status = (await me(u)).status) !== 'offline' && waited < 1000; waited += 10) await C.sleep(10);
    assert.equal(status, 'offline', `cycle ${i}: still online after disconnect`);
  }
  // Leaving and coming back at once: the offline write still under way must not land last.
  // (Another user, within its announcement budget: later tests want a quiet server.)
  const v = await C.register(S(), 'pv');
  let s = await C.connectSocket(t, S(), v.token, { name: 'back 0', transports: ['websocket'] });
  for (let i = 1; i < 25; i += 1) {
    s.disconnect();
    s = await C.connectSocket(t, S(), v.token, { name: `back ${i}`, transports: ['websocket'] });
    assert.equal((await me(v)).status, 'online', `reconnect ${i}: offline right after connect`);
  }
});

test('an abrupt transport close counts as a disconnect; reconnecting is online again', async (t) => {
  const [w, u] = await Promise.all([C.register(S(), 'pw'), C.register(S(), 'pu')]);
  const ws = await C.connectSocket(t, S(), w.token, { name: 'watcher' });
  const us = await C.connectSocket(t, S(), u.token, { name: 'u', transports: ['websocket'] });
  await ws.rec.waitFor('user:online', about(u));
  us.io.engine.transport.ws.terminate(); // TCP gone without a Socket.IO/Engine.IO close
  await ws.rec.waitFor('user:offline', about(u), { ms: 3000 });
  assert.equal((await me(u)).status, 'offline');
  const from = ws.rec.mark();
  await C.connectSocket(t, S(), u.token, { name: 'u again' });
  await ws.rec.waitFor('user:online', about(u), { from });
  assert.equal((await me(u)).status, 'online');
});

test('a polling client whose waiting GET hangs up is offline at once, not after the heartbeat', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'ga'), C.register(S(), 'gb')]);
  const watcher = await C.connectSocket(t, S(), a.token, { name: 'watcher' });
  const base = `${S().url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = JSON.parse(open.slice(1)).sid;
  const from = watcher.rec.mark();
  const post = await fetch(`${base}&sid=${sid}`, { method: 'POST', body: `40${JSON.stringify({ token: b.token })}` });
  assert.equal(post.status, 200);
  assert.match(await (await fetch(`${base}&sid=${sid}`)).text(), /^40/);
  await watcher.rec.waitFor('user:online', (p) => p.userId === b.id, { from });
  // The next GET waits for output; its client goes away.
  const raw = net.connect(S().port, '127.0.0.1');
  raw.write(`GET /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await C.sleep(200);
  raw.destroy();
  const gone = await watcher.rec.waitFor('user:offline', (p) => p.userId === b.id, { ms: 3000, from });
  C.assertIso(gone.lastSeen);
  const again = await fetch(`${base}&sid=${sid}`);
  assert.equal(again.status, 400, 'the session should be gone');
});

// A masked client frame, as a WebSocket client must send it.
function clientFrame(opcode, payload) {
  const body = Buffer.from(payload);
  const key = require('node:crypto').randomBytes(4);
  const head = body.length < 126 ? Buffer.from([0x80 | opcode, 0x80 | body.length]) : Buffer.from([0x80 | opcode, 0x80 | 126, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([head, key, body.map((x, i) => x ^ key[i % 4])]);
}

// Opens a raw WebSocket to /socket.io/ (a new Engine.IO session, or the upgrade of `sid`);
// resolves once what it received includes `until`. `raw.waitFor(text)` waits for the next.
async function rawWebSocket(t, { sid, until = '"sid"' } = {}) {
  const raw = net.connect(S().port, '127.0.0.1');
  raw.on('error', () => {});
  t.after(() => raw.destroy());
  let got = Buffer.alloc(0);
  raw.on('data', (d) => (got = Buffer.concat([got, d])));
  raw.waitFor = async (text, what) => {
    for (let waited = 0; !got.includes(text); waited += 10) {
      assert.ok(waited < 2000, `no ${what}`);
      await C.sleep(10);
    }
    got = Buffer.alloc(0);
  };
  const key = require('node:crypto').randomBytes(16).toString('base64');
  const session = sid ? `&sid=${sid}` : '';
  raw.write(`GET /socket.io/?EIO=4&transport=websocket${session} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await raw.waitFor(until, sid ? 'WebSocket handshake' : 'open packet');
  return raw;
}

test('a CONNECT whose client left at once (CONNECT and close frame in one write) stores no presence', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'la'), C.register(S(), 'lb')]);
  const watcher = await C.connectSocket(t, S(), a.token, { name: 'watcher' });
  const before = await me(b);
  const from = watcher.rec.mark();
  for (let i = 0; i < 5; i += 1) {
    const raw = await rawWebSocket(t);
    raw.write(Buffer.concat([clientFrame(1, `40${JSON.stringify({ token: b.token })}`), clientFrame(8, Buffer.from([0x03, 0xe8]))]));
  }
  await C.sleep(300);
  const after = await me(b);
  assert.equal(after.status, 'offline');
  assert.equal(after.lastSeen, before.lastSeen, 'lastSeen moved for sockets that never connected');
  const told = watcher.rec.list.slice(from).filter((e) => e.event.startsWith('user:o') && about(b)(e.args[0]));
  assert.deepEqual(told, [], 'a socket that never connected was announced');
});

test('"5" and the close frame in one read end the upgraded session at once, not at its ping timeout', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'ua'), C.register(S(), 'ub')]);
  const watcher = await C.connectSocket(t, S(), a.token, { name: 'watcher' });
  const base = `${S().url}/socket.io/?EIO=4&transport=polling`;
  const sid = JSON.parse((await (await fetch(base)).text()).slice(1)).sid;
  const from = watcher.rec.mark();
  await fetch(`${base}&sid=${sid}`, { method: 'POST', body: `40${JSON.stringify({ token: b.token })}` });
  assert.match(await (await fetch(`${base}&sid=${sid}`)).text(), /^40/);
  await watcher.rec.waitFor('user:online', (p) => p.userId === b.id, { from });

  const raw = await rawWebSocket(t, { sid, until: '\r\n\r\n' });
  raw.write(clientFrame(1, '2probe'));
  await raw.waitFor('3probe', '3probe');
  raw.write(Buffer.concat([clientFrame(1, '5'), clientFrame(8, Buffer.from([0x03, 0xe8]))]));
  await watcher.rec.waitFor('user:offline', (p) => p.userId === b.id, { ms: 3000, from });
  assert.equal((await me(b)).status, 'offline');
});

test('a CONNECT whose reply overflows the outbox of a client that never reads leaves the user offline', async (t) => {
  const [a, b] = await Promise.all([C.register(S(), 'oa'), C.register(S(), 'ob')]);
  const watcher = await C.connectSocket(t, S(), a.token, { name: 'watcher' });
  const base = `${S().url}/socket.io/?EIO=4&transport=polling`;
  const sid = JSON.parse((await (await fetch(base)).text()).slice(1)).sid;
  const url = `${base}&sid=${sid}`;
  // Never polled, the outbox fills with CONNECT_ERRORs (each 34 bytes + the namespace) to 10
  // bytes under its 4 MiB cap; the CONNECT reply of "/" is then the frame that overflows it.
  const cap = 4 * 1024 * 1024;
  let left = cap - 10;
  const sizes = [];
  while (left >= 580) {
    sizes.push(256);
    left -= 290;
  }
  sizes.push(Math.floor(left / 2) - 34, left - Math.floor(left / 2) - 34);
  const packets = sizes.map((n) => `40/${'a'.repeat(n - 1)},`);
  for (let i = 0; i < packets.length; i += 3000) {
    const res = await fetch(url, { method: 'POST', body: packets.slice(i, i + 3000).join('\x1e') });
    assert.equal(await res.text(), 'ok');
  }
  const from = watcher.rec.mark();
  await fetch(url, { method: 'POST', body: `40${JSON.stringify({ token: b.token })}` });
  await C.sleep(300);
  assert.equal((await me(b)).status, 'offline', 'the dropped session left its user online');
  assert.equal((await fetch(url)).status, 400, 'the session should be gone');
  const told = () => watcher.rec.list.slice(from).filter((e) => e.event.startsWith('user:o') && e.args[0].userId === b.id);
  assert.deepEqual(told(), [], 'a socket that never connected was announced');
  // The user's presence still works: a real socket comes and goes.
  const s = await C.connectSocket(t, S(), b.token, { name: 'b', transports: ['websocket'] });
  await watcher.rec.waitFor('user:online', (p) => p.userId === b.id, { from });
  const back = watcher.rec.mark();
  s.disconnect();
  await watcher.rec.waitFor('user:offline', (p) => p.userId === b.id, { from: back, ms: 3000 });
  assert.equal((await me(b)).status, 'offline');
});

test('a socket that leaves right after connecting is still announced: user:online, then user:offline', async (t) => {
  const [w, u] = await Promise.all([C.register(S(), 'bw'), C.register(S(), 'bu')]);
  const watcher = await C.connectSocket(t, S(), w.token, { name: 'watcher' });
  for (let i = 0; i < 20; i += 1) {
    const from = watcher.rec.mark();
    const s = await C.connectSocket(t, S(), u.token, { name: `blip ${i}`, transports: ['websocket'] });
    s.disconnect();
    const off = await watcher.rec.waitFor('user:offline', about(u), { from, ms: 3000 });
    const told = watcher.rec.list.slice(from).filter((e) => e.event.startsWith('user:o') && about(u)(e.args[0]));
    assert.deepEqual(told.map((e) => e.event), ['user:online', 'user:offline'], `cycle ${i}`);
    assert.equal(off.lastSeen, (await me(u)).lastSeen, `cycle ${i}: lastSeen differs from REST`);
  }
});
