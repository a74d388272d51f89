'use strict';
// The packaging test (ctest: packaging_deb): builds the .deb from this build directory
// (cpack -G DEB, packaging whatever confab binary the build has), unpacks it into a
// throwaway root with dpkg-deb -x, checks what it holds, then starts the unpacked binary with
// the unpacked config file (a temporary data dir and a free port on the command line), checks
// GET /healthz, and stops it with SIGTERM, expecting exit status 0.
//
// Environment (set by test/packaging/CMakeLists.txt): CONFAB_BUILD_DIR, CPACK_COMMAND,
// DPKG_DEB; SYSTEMD_ANALYZE when installed (the unit is then checked for mistakes).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const BUILD_DIR = process.env.CONFAB_BUILD_DIR;
const CPACK = process.env.CPACK_COMMAND || 'cpack';
const DPKG_DEB = process.env.DPKG_DEB || 'dpkg-deb';
const SYSTEMD_ANALYZE = process.env.SYSTEMD_ANALYZE;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let work; // the throwaway directory: pkg/ (the .deb), root/ (unpacked), control/, data/
let deb;
let root;

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.error) throw r.error;
  return r;
}

// A port nothing listens on right now.
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

before(() => {
  assert.ok(BUILD_DIR, 'CONFAB_BUILD_DIR is not set (run this through ctest)');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'confab-packaging-'));
  // -B keeps the package and cpack's staging out of the build directory.
  const r = run(CPACK, ['-G', 'DEB', '-B', path.join(work, 'pkg'), '--config', path.join(BUILD_DIR, 'CPackConfig.cmake')]);
  assert.equal(r.status, 0, `cpack failed:\n${r.stdout}\n${r.stderr}`);
  const debs = fs.readdirSync(path.join(work, 'pkg')).filter((f) => f.endsWith('.deb'));
  assert.equal(debs.length, 1, `expected one .deb, got ${debs}`);
  deb = path.join(work, 'pkg', debs[0]);
  root = path.join(work, 'root');
  execFileSync(DPKG_DEB, ['-x', deb, root]);
  execFileSync(DPKG_DEB, ['-e', deb, path.join(work, 'control')]);
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the package is confab_<version>_amd64.deb', () => {
  const version = execFileSync(path.join(root, 'usr/bin/confab'), ['--version'], { encoding: 'utf8' });
  const m = /^confab (\d+\.\d+\.\d+)\n/.exec(version);
  assert.ok(m, `--version: ${version}`);
  assert.equal(path.basename(deb), `confab_${m[1]}_amd64.deb`);
  const fields = execFileSync(DPKG_DEB, ['-f', deb, 'Package', 'Version', 'Architecture'], { encoding: 'utf8' });
  assert.match(fields, /^Package: confab$/m);
  assert.match(fields, new RegExp(`^Version: ${m[1].replace(/\./g, '\\.')}$`, 'm'));
  assert.match(fields, /^Architecture: amd64$/m);
  assert.match(version, /^commit: /m);
  assert.match(version, /^build: /m);
});

test('it holds the binary, the unit, the config file and the README', () => {
  const mode = (p) => fs.statSync(path.join(root, p)).mode;
  assert.ok(mode('usr/bin/confab') & 0o111, '/usr/bin/confab is not executable');
  assert.ok(fs.statSync(path.join(root, 'lib/systemd/system/confab.service')).isFile());
  assert.ok(fs.statSync(path.join(root, 'etc/confab/confab.conf')).isFile());
  assert.equal(mode('etc/confab/confab.conf') & 0o007, 0, 'the config file is world-readable');
  assert.ok(fs.statSync(path.join(root, 'usr/share/doc/confab/README.md')).isFile());
  // Nothing else at the top: no stray build files.
  assert.deepEqual(fs.readdirSync(root).sort(), ['etc', 'lib', 'usr']);
});

test('the config file is a conffile and the scripts make the user and the data dir', () => {
  const control = path.join(work, 'control');
  assert.deepEqual(fs.readFileSync(path.join(control, 'conffiles'), 'utf8').trim().split('\n'), ['/etc/confab/confab.conf']);
  const postinst = fs.readFileSync(path.join(control, 'postinst'), 'utf8');
  assert.match(postinst, /useradd --system/);
  assert.match(postinst, /install -d -o confab -g confab -m 0750 \/var\/lib\/confab/);
  for (const script of ['postinst', 'prerm', 'postrm']) {
    assert.ok(fs.statSync(path.join(control, script)).mode & 0o111, `${script} is not executable`);
    const r = run('sh', ['-n', path.join(control, script)]);
    assert.equal(r.status, 0, `${script} has a syntax error: ${r.stderr}`);
  }
});

test('the unit runs the binary hardened, as confab, with the packaged config', () => {
  const unit = fs.readFileSync(path.join(root, 'lib/systemd/system/confab.service'), 'utf8');
  for (const line of [
    'User=confab',
    'ExecStart=/usr/bin/confab --config /etc/confab/confab.conf',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'StateDirectory=confab',
    'ReadWritePaths=/var/lib/confab',
    'Restart=on-failure',
    'WantedBy=multi-user.target',
  ]) {
    assert.ok(unit.split('\n').includes(line), `the unit lacks '${line}'`);
  }
  assert.doesNotMatch(unit, /^ExecReload=/m, 'confab cannot reload: no ExecReload');
  const conf = fs.readFileSync(path.join(root, 'etc/confab/confab.conf'), 'utf8');
  assert.match(conf, /^DATA_DIR=\/var\/lib\/confab$/m);
  if (SYSTEMD_ANALYZE) {
    // Without a running systemd, verify also complains about the machine (no
    // /usr/bin/confab, no sysinit.target); only mistakes in the file itself count here.
    const r = run(SYSTEMD_ANALYZE, ['verify', path.join(root, 'lib/systemd/system/confab.service')]);
    const mistakes = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /confab\.service:\d+:/.test(l));
    assert.deepEqual(mistakes, [], 'systemd-analyze verify found mistakes in the unit');
  }
});

test('the README documents every setting of confab --help', () => {
  const help = execFileSync(path.join(root, 'usr/bin/confab'), ['--help'], { encoding: 'utf8' });
  const readme = fs.readFileSync(path.join(root, 'usr/share/doc/confab/README.md'), 'utf8');
  const names = [...help.matchAll(/^ {2}(--[a-z-]+) +([A-Z_]+)/gm)].flatMap((m) => [m[1], m[2]]);
  assert.ok(names.length >= 28, `too few settings found in --help:\n${help}`);
  for (const name of names) assert.ok(readme.includes(`\`${name}\``), `README does not mention \`${name}\``);
});

test('a bad setting in the config file stops confab, naming the file, the line and the setting', () => {
  const bad = path.join(work, 'bad.conf');
  fs.writeFileSync(bad, '# test\nPORT=99999\n');
  const r = run(path.join(root, 'usr/bin/confab'), ['--config', bad], { timeout: 10000 });
  assert.equal(r.status, 2, `exit status ${r.status}, stderr: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: invalid value '99999' for PORT`));
});

test('the unpacked binary serves /healthz with the unpacked config and exits 0 on SIGTERM', async () => {
  const dataDir = path.join(work, 'data');
  const port = await freePort();
  // The config says DATA_DIR=/var/lib/confab; flags override it (and the port).
  const child = spawn(
    path.join(root, 'usr/bin/confab'),
    ['--config', path.join(root, 'etc/confab/confab.conf'), '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    let res;
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
        break;
      } catch {
        await sleep(100);
      }
    }
    assert.ok(res, `confab did not answer on port ${port}:\n${output}`);
    assert.equal(res.status, 200, output);
    assert.deepEqual(await res.json(), { status: 'ok' });
    // No JWT_SECRET in the config: generated into the data dir, readable by its owner only.
    const secret = fs.statSync(path.join(dataDir, 'jwt_secret'));
    assert.equal(secret.mode & 0o777, 0o600);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
  const { code, signal } = await exited;
  clearTimeout(timer);
  assert.equal(signal, null, `confab was killed by ${signal}:\n${output}`);
  assert.equal(code, 0, `confab exited with ${code} on SIGTERM:\n${output}`);
});
