'use strict';
// `confab backup` and `confab restore` end to end (ctest: ops_backup): two users send
// messages over Socket.IO without pause while `confab backup DIR` copies the running server's
// store; then the server stops, `confab restore DIR` fills a fresh data dir, a server starts
// on it, and the history over REST holds, for each sender, every message acknowledged before
// the backup began, in order and without gaps, and nothing sent after the backup ended. The
// tokens issued before the backup still work: the generated JWT secret came along.
//
// Uses the e2e helpers (test/e2e/lib/confab.js) and their npm packages; CONFAB_BIN is the
// binary (set by ctest).

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const {
  CONFAB_BIN,
  startServer,
  register,
  createChat,
  connectSocket,
  join,
  sendMessage,
  assertOk,
  api,
  removeDir,
} = require('../e2e/lib/confab.js');

// No rate limit in the way: the senders go as fast as acks come back.
const FAST = ['--rate-limit-per-sec', '1000000', '--rate-limit-burst', '1000000'];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'confab-ops-'));
after(() => removeDir(work));

// Runs `confab args...`; resolves with { code, stdout, stderr } without blocking the event
// loop (the senders keep going meanwhile).
function confab(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(CONFAB_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// Sends `${name}-0`, `${name}-1`, ... one after the other until stop() resolves its loop.
function sender(socket, chatId, name) {
  const s = { name, started: 0, acked: 0, running: true, errors: [] };
  s.done = (async () => {
    while (s.running) {
      const i = s.started;
      s.started += 1;
      const ack = await sendMessage(socket, chatId, `${name}-${i}`);
      if (!ack || ack.ok !== true) s.errors.push(ack);
      else s.acked += 1;
    }
  })();
  s.stop = async () => {
    s.running = false;
    await s.done;
  };
  return s;
}

// Every message of the chat, oldest first, in pages of 100.
async function fullHistory(server, user, chatId) {
  const pages = [];
  let before = '';
  for (;;) {
    const res = await api(server, 'GET', `/api/chats/${chatId}/messages?limit=100${before}`, { token: user.token });
    assert.equal(res.status, 200, `history: ${res.status} ${res.text}`);
    pages.unshift(res.json.messages);
    if (!res.json.hasMore || res.json.messages.length === 0) break;
    before = `&before=${res.json.messages[0]._id}`;
  }
  return pages.flat();
}

test('a backup taken while messages flow restores a complete history up to the backup', async (t) => {
  const dataA = path.join(work, 'a');
  const backupDir = path.join(work, 'backup');
  const dataB = path.join(work, 'b');

  // secret: null lets the server generate DATA_DIR/jwt_secret, which the backup must carry.
  const a = await startServer({ dataDir: dataA, secret: null, extraArgs: FAST });
  let b;
  try {
    const alice = await register(a, 'alice');
    const bob = await register(a, 'bob');
    const chat = await createChat(a, alice, { participants: [bob] });
    const sockA = await connectSocket(t, a, alice.token, { name: 'alice' });
    const sockB = await connectSocket(t, a, bob.token, { name: 'bob' });
    await join(sockA, chat._id);
    await join(sockB, chat._id);

    const senders = [sender(sockA, chat._id, 'alice'), sender(sockB, chat._id, 'bob')];
    while (senders.some((s) => s.acked < 40)) await new Promise((r) => setTimeout(r, 10));

    const ackedBefore = senders.map((s) => s.acked);
    const backup = await confab(['backup', backupDir, '--data-dir', dataA]);
    const startedAfter = senders.map((s) => s.started);
    assert.equal(backup.code, 0, `backup failed:\n${backup.stdout}\n${backup.stderr}`);
    assert.match(backup.stdout, /backed up .* with the JWT secret/);
    // Messages kept flowing during the backup, and go on after it.
    const ackedAfterBackup = senders.map((s) => s.acked);
    while (senders.some((s, i) => s.acked < ackedAfterBackup[i] + 20)) await new Promise((r) => setTimeout(r, 10));
    for (const s of senders) await s.stop();
    for (const s of senders) assert.deepEqual(s.errors, [], `${s.name}: refused sends`);
    t.diagnostic(`acked before the backup: ${ackedBefore}; started by its end: ${startedAfter}; sent in all: ${senders.map((s) => s.started)}`);

    // Refusals: restoring under a running server, backing up into a used directory.
    const busy = await confab(['restore', backupDir, '--data-dir', dataA]);
    assert.equal(busy.code, 1, `restore under a running server: ${busy.stdout}${busy.stderr}`);
    assert.match(busy.stderr, /stop it first/);
    const again = await confab(['backup', backupDir, '--data-dir', dataA]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not an empty directory/);
    assert.ok(a.alive, 'the server survived the refused restore');

    const stopped = await a.stop();
    assert.equal(stopped.code, 0, `server A exit on SIGTERM:\n${a.logs()}`);

    const restore = await confab(['restore', backupDir, '--data-dir', dataB]);
    assert.equal(restore.code, 0, `restore failed:\n${restore.stdout}\n${restore.stderr}`);
    assert.equal(
      fs.readFileSync(path.join(dataB, 'jwt_secret'), 'utf8'),
      fs.readFileSync(path.join(dataA, 'jwt_secret'), 'utf8'),
      'the JWT secret came back with the store',
    );
    assert.equal(fs.statSync(path.join(dataB, 'jwt_secret')).mode & 0o777, 0o600);

    b = await startServer({ dataDir: dataB, secret: null, extraArgs: FAST });
    // Alice's token from before the backup is accepted by the restored server.
    const messages = await fullHistory(b, alice, chat._id);
    for (const [i, s] of senders.entries()) {
      const mine = messages.filter((m) => m.senderId._id === (i === 0 ? alice.id : bob.id)).map((m) => m.content);
      const expected = Array.from({ length: mine.length }, (_, n) => `${s.name}-${n}`);
      assert.deepEqual(mine, expected, `${s.name}: the restored messages are not a gap-free prefix`);
      assert.ok(mine.length >= ackedBefore[i], `${s.name}: ${mine.length} restored, but ${ackedBefore[i]} were acknowledged before the backup`);
      assert.ok(mine.length <= startedAfter[i], `${s.name}: ${mine.length} restored, but only ${startedAfter[i]} were sent by the end of the backup`);
    }
    // Ids are increasing, and the restored server goes on from there.
    const socket = await connectSocket(t, b, bob.token, { name: 'bob-restored' });
    await join(socket, chat._id);
    assertOk(await sendMessage(socket, chat._id, 'after the restore'), 'send after restore');
    const latest = await fullHistory(b, bob, chat._id);
    assert.equal(latest.at(-1).content, 'after the restore');
    assert.equal(latest.length, messages.length + 1);
  } finally {
    await a.stop();
    if (b) {
      const res = await b.stop();
      assert.equal(res.code, 0, `server B exit on SIGTERM:\n${b.logs()}`);
    }
  }
});
