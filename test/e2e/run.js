'use strict';
// ctest's entry point: `node run.js FILE.test.js...` checks that the npm dependencies (and,
// when CONFAB_FIXTURE is set, the fixture binary) are there, failing with a hint if not, then
// runs the files with Node's test runner. By hand, `npm test` or `node --test *.test.js` in
// this directory do the same without the checks.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

for (const dep of ['socket.io-client', 'ws']) {
  try {
    require.resolve(dep, { paths: [__dirname] });
  } catch {
    fail(
      `the npm package '${dep}' is missing from ${path.join(__dirname, 'node_modules')}.\n` +
        '  Run scripts/setup.sh (or `npm ci` in test/e2e) first.',
    );
  }
}
const fixture = process.env.CONFAB_FIXTURE;
if (fixture && !fs.existsSync(fixture)) {
  fail(`the fixture binary ${fixture} does not exist: build the conformance_fixture target.`);
}

const files = process.argv.slice(2);
if (files.length === 0) fail('usage: node run.js FILE.test.js...');

const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  cwd: __dirname,
  stdio: 'inherit',
});
if (result.error) fail(result.error.message);
process.exit(result.status ?? 1);
