'use strict';
// Per-socket event rate limit (API.md "Limits"), on a server started with
// --rate-limit-per-sec 5 --rate-limit-burst 5: over the limit an event is dropped with
// `error {code: "RATE_LIMITED"}`, the connection is kept, and it works again after a pause.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const C = require('./lib/confab');

const srv = C.useServer({ extraArgs: ['--rate-limit-per-sec', '5', '--rate-limit-burst', '5'] });
const S = () => srv.server;
const BURST = 5;

// a and b in a chat; b's socket joined (b's own bucket is not used by the bursts). a's socket
// is fresh, so its bucket is full.
async function setup(t) {
  const [a, b] = await Promise.all([C.register(S(), 'ra'), C.register(S(), 'rb')]);
  const chat = await C.createChat(S(), a, { participants: [b] });
  const sb = await C.connectSocket(t, S(), b.token, { name: 'b' });
  await C.join(sb, chat._id);
  const sa = await C.connectSocket(t, S(), a.token, { name: 'a' });
  return { a, b, chat, sa, sb };
}

// Fires `n` events at once with acks; resolves with the acks in order.
function burst(socket, n, event, payload) {
  return Promise.all(Array.from({ length: n }, (_, i) => C.emitAck(socket, event, payload(i))));
}

function split(acks) {
  const ok = acks.filter((x) => x && x.ok === true);
  const limited = acks.filter((x) => x && x.ok === false && x.error && x.error.code === 'RATE_LIMITED');
  assert.equal(ok.length + limited.length, acks.length, `acks neither ok nor RATE_LIMITED: ${JSON.stringify(acks.filter((x) => !ok.includes(x) && !limited.includes(x)))}`);
  return { ok, limited };
}

test('20 typing events at once: about the burst succeed, the rest get RATE_LIMITED; the socket stays usable', async (t) => {
  const { chat, sa, sb } = await setup(t);
  const from = sa.rec.mark();
  const acks = await burst(sa, 20, 'chat:typing', () => ({ chatId: chat._id }));
  const { ok, limited } = split(acks);
  assert.ok(ok.length >= BURST && ok.length <= BURST + 2, `${ok.length} of 20 accepted with a burst of ${BURST}`);
  assert.ok(limited.length >= 12, `only ${limited.length} rate limited`);
  limited.forEach((x) => C.assertAckError(x, 'RATE_LIMITED'));
  // Each limited one also got an error event naming it.
  await C.quiet(200);
  const errs = sa.rec.since(from, 'error').map((e) => e.args[0]);
  assert.equal(errs.length, limited.length, 'one error event per rate-limited event');
  errs.forEach((e) => C.assertErrorEvent(e, 'chat:typing', 'RATE_LIMITED'));
  // Dropped means dropped: b heard only the accepted ones.
  assert.equal(sb.rec.payloads('user:typing').length, ok.length, 'rate-limited typing events reached the room');
  assert.ok(sa.connected, 'disconnected for going over the rate limit');
  // After a pause the socket works again.
  await C.sleep(1100);
  C.assertOk(await C.emitAck(sa, 'chat:typing', { chatId: chat._id }), 'after the pause');
  C.assertOk(await C.emitAck(sa, 'chat:stopTyping', { chatId: chat._id }), 'after the pause');
  await sb.rec.waitFor('user:stoppedTyping', (p) => p.chatId === chat._id);
});

test('20 messages at once: only the accepted ones are stored and delivered', async (t) => {
  const { b, chat, sa, sb } = await setup(t);
  const acks = await burst(sa, 20, 'message:send', (i) => ({
    chatId: chat._id,
    content: `burst ${i}`,
    messageType: 'text',
    attachments: [],
    replyTo: null,
    clientMessageId: C.clientMessageId(),
  }));
  const { ok, limited } = split(acks);
  assert.ok(ok.length >= BURST && ok.length <= BURST + 2, `${ok.length} of 20 accepted`);
  assert.ok(limited.length >= 12);
  await C.quiet(300);
  const h = await C.history(S(), b, chat._id);
  assert.equal(h.messages.length, ok.length, 'stored messages != accepted sends');
  assert.equal(sb.rec.payloads('message:received').length, ok.length, 'delivered messages != accepted sends');
  // The accepted ones are the first ones sent (a token bucket drops the tail of a burst).
  const accepted = acks.map((x, i) => (x.ok ? `burst ${i}` : null)).filter(Boolean);
  assert.deepEqual(h.messages.map((m) => m.content), accepted);
});

test('without acks the rate-limited events still get error events', async (t) => {
  const { chat, sa } = await setup(t);
  const from = sa.rec.mark();
  for (let i = 0; i < 15; i += 1) sa.emit('chat:typing', { chatId: chat._id });
  await sa.rec.waitFor('error', (e) => e.code === 'RATE_LIMITED', { from });
  await C.quiet(300);
  const errs = sa.rec.since(from, 'error').map((e) => e.args[0]);
  assert.ok(errs.length >= 8 && errs.length <= 10, `${errs.length} RATE_LIMITED errors for 15 events with a burst of 5`);
  errs.forEach((e) => C.assertErrorEvent(e, 'chat:typing', 'RATE_LIMITED'));
  assert.ok(sa.connected);
});

test('the limit is per socket: another socket of the same user is not limited', async (t) => {
  const { a, chat, sa } = await setup(t);
  const sa2 = await C.connectSocket(t, S(), a.token, { name: 'a2' });
  const first = split(await burst(sa, 12, 'chat:typing', () => ({ chatId: chat._id })));
  assert.ok(first.limited.length > 0);
  const second = split(await burst(sa2, BURST, 'chat:typing', () => ({ chatId: chat._id })));
  assert.equal(second.ok.length, BURST, 'a fresh socket of the same user was rate limited');
});

test('the bucket refills at the configured rate (about 5 per second)', async (t) => {
  const { chat, sa } = await setup(t);
  split(await burst(sa, 10, 'chat:typing', () => ({ chatId: chat._id })));
  await C.sleep(600); // ~3 tokens
  const { ok } = split(await burst(sa, 10, 'chat:typing', () => ({ chatId: chat._id })));
  assert.ok(ok.length >= 2 && ok.length <= 4, `${ok.length} accepted 600 ms after an exhausted bucket at 5/s`);
});
