'use strict';
// CORS on the polling transport (the fixture allows any origin, "*"): the allowed Origin is
// echoed with credentials allowed, and OPTIONS preflights are answered.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startFixture } = require('./lib/fixture');
const { openPolling } = require('./lib/raw');

let fixture;
before(async () => {
  fixture = await startFixture();
});
after(() => fixture?.kill());

const ORIGIN = 'https://app.example.com:8443';

function assertEchoedOrigin(res, origin = ORIGIN) {
  assert.equal(res.headers.get('access-control-allow-origin'), origin);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  assert.match(res.headers.get('vary') ?? '', /\bOrigin\b/i);
}

for (const path of ['/socket.io/', '/engine.io/']) {
  describe(path, () => {
    const handshakeUrl = () => `${fixture.url}${path}?EIO=4&transport=polling`;

    test('a handshake with an Origin gets that origin back, with credentials', async () => {
      const res = await fetch(handshakeUrl(), { headers: { Origin: ORIGIN } });
      assert.equal(res.status, 200);
      assertEchoedOrigin(res);
      assert.equal((await res.text())[0], '0');
    });

    test('"null" and unusual origins are echoed as given', async () => {
      for (const origin of ['null', 'http://localhost:3000', 'chrome-extension://abcdef']) {
        const res = await fetch(handshakeUrl(), { headers: { Origin: origin } });
        assertEchoedOrigin(res, origin);
        await res.text();
      }
    });

    test('a request without Origin gets "*" and no credentials header', async () => {
      const res = await fetch(handshakeUrl());
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
      await res.text();
    });

    test('the GET and POST of a session carry the CORS headers', async () => {
      const p = await openPolling(fixture.url, path, { Origin: ORIGIN });
      const post = await p.post(path === '/engine.io/' ? '4hi' : '40', { headers: { Origin: ORIGIN } });
      assert.equal(post.status, 200);
      assertEchoedOrigin(post);
      await post.text();
      const get = await p.get({ headers: { Origin: ORIGIN } });
      assert.equal(get.status, 200);
      assertEchoedOrigin(get);
      const body = await get.text();
      assert.ok(body.startsWith(path === '/engine.io/' ? '4hi' : '40{'), body);
    });

    test('an error response carries the CORS headers too (so the page can read it)', async () => {
      const res = await fetch(`${fixture.url}${path}?EIO=4&transport=polling&sid=unknown`, {
        headers: { Origin: ORIGIN },
      });
      assert.equal(res.status, 400);
      assertEchoedOrigin(res);
      assert.deepEqual(await res.json(), { code: 1, message: 'Session ID unknown' });
    });

    test('preflight OPTIONS: 204 with origin, methods and the requested headers', async () => {
      const res = await fetch(handshakeUrl(), {
        method: 'OPTIONS',
        headers: {
          Origin: ORIGIN,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,x-custom-header',
        },
      });
      assert.equal(res.status, 204);
      assertEchoedOrigin(res);
      const methods = (res.headers.get('access-control-allow-methods') ?? '')
        .split(',')
        .map((m) => m.trim().toUpperCase());
      assert.ok(methods.includes('GET') && methods.includes('POST'), `methods: ${methods}`);
      assert.equal(res.headers.get('access-control-allow-headers'), 'content-type,x-custom-header');
      assert.equal(await res.text(), '');
    });

    test('preflight OPTIONS on a session URL, and without request headers', async () => {
      const p = await openPolling(fixture.url, path);
      const res = await fetch(p.url, {
        method: 'OPTIONS',
        headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' },
      });
      assert.equal(res.status, 204);
      assertEchoedOrigin(res);
      assert.equal(res.headers.get('access-control-allow-headers'), null);
      await res.text();
      // The preflight did not disturb the session.
      const post = await p.post(path === '/engine.io/' ? '4after' : '40');
      assert.equal(await post.text(), 'ok');
    });
  });
}

test('a 404 outside the Engine.IO paths still carries CORS headers', async () => {
  const res = await fetch(`${fixture.url}/nothing-here`, { headers: { Origin: ORIGIN } });
  assert.equal(res.status, 404);
  assertEchoedOrigin(res);
  await res.text();
});
