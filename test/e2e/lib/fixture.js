'use strict';
// Starts and stops the conformance fixture (app/fixture/conformance_fixture.cpp) for one test
// file. Each file gets its own process on its own port, so files can run in parallel.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// CONFAB_FIXTURE is set by ctest (test/e2e/CMakeLists.txt); by hand, the default build dir.
const FIXTURE =
  process.env.CONFAB_FIXTURE ||
  path.resolve(__dirname, '..', '..', '..', 'build', 'app', 'conformance_fixture');

const STARTUP_TIMEOUT_MS = 5000;

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

class Fixture {
  constructor(child, port) {
    this.child = child;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}`;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  // False once the process has exited.
  get alive() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid() {
    return this.child.pid;
  }

  signal(sig) {
    this.child.kill(sig);
  }

  // SIGKILL and wait for the process to be gone (a crash, as far as clients can tell).
  async kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGCONT'); // a stopped process cannot die of SIGTERM
      this.child.kill('SIGKILL');
    }
    await this.exited;
    running.delete(this.child);
  }

  // Graceful stop (SIGTERM), falling back to SIGKILL after `graceMs`. Resolves with the exit
  // code (null if it had to be killed).
  async stop(graceMs = 3000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      running.delete(this.child);
      return this.child.exitCode;
    }
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    running.delete(this.child);
    return this.child.exitCode;
  }
}

// Starts the fixture. `port` 0 (the default) lets the OS pick a free port, which the fixture
// reports in its "listening on HOST:PORT" line; pass a port to restart on the same one.
function startFixture({ port = 0 } = {}) {
  if (!fs.existsSync(FIXTURE)) {
    return Promise.reject(
      new Error(
        `conformance fixture not found at ${FIXTURE}: build it (cmake --build build ` +
          `--target conformance_fixture) or set CONFAB_FIXTURE`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(FIXTURE, ['--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let settled = false;
    const fail = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      running.delete(child);
      reject(new Error(`${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    const timer = setTimeout(
      () => fail(`fixture did not report listening within ${STARTUP_TIMEOUT_MS} ms`),
      STARTUP_TIMEOUT_MS,
    );
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d) => {
      stdout += d;
      if (settled) return;
      const m = /listening on (\S+):(\d+)\r?\n/.exec(stdout);
      if (!m) return;
      settled = true;
      clearTimeout(timer);
      resolve(new Fixture(child, Number(m[2])));
    });
    child.once('error', (e) => fail(`cannot start ${FIXTURE}: ${e.message}`));
    child.once('exit', (code, sig) => fail(`fixture exited early (code ${code}, signal ${sig})`));
  });
}

module.exports = { startFixture, FIXTURE };
