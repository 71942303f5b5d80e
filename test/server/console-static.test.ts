// The analyst console's files under /console/, from a temp console folder holding a fake build:
// the redirect, content types and cache headers, the security headers on every answer, the SPA
// fallback, HEAD and 304, no key needed, every traversal attempt a 404 that shows nothing outside
// the folder, and a missing build answered with how to make one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CONSOLE_CSP, CONSOLE_LIMITS, ConsoleFiles } from '../../src/server/console-static.js';
import { call, startTestServer, tempDir, type TestServer } from './helpers.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>';
const APP = 'console.log("app");';
const CSS = 'body{margin:0}';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"/>';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-CONSOLE';

/** A fake Vite build in `root/console`, and a secret beside it that must never be served. */
function fakeBuild(root: string): string {
  const dir = join(root, 'console');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'favicon.svg'), SVG);
  writeFileSync(join(dir, 'assets', 'app-abc123.js'), APP);
  writeFileSync(join(dir, 'assets', 'style-def456.css'), CSS);
  writeFileSync(join(dir, '.env'), SECRET);
  writeFileSync(join(root, 'secret.txt'), SECRET);
  symlinkSync(join(root, 'secret.txt'), join(dir, 'link.txt'));
  symlinkSync(join(root, 'secret.txt'), join(dir, 'assets', 'link.js'));
  return dir;
}

interface Raw {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One request with the path sent exactly as given (no URL normalisation of `..` or `\`). */
function raw(base: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Raw> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The raw bytes of a request line the HTTP client would refuse to send; the status line answered. */
function rawBytes(base: string, requestLine: string): Promise<string> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () => sock.end(`${requestLine}\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let out = '';
    sock.on('data', (c: Buffer) => (out += c.toString('latin1')));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}

function assertSecurityHeaders(r: Raw, what: string): void {
  assert.equal(r.headers['content-security-policy'], CONSOLE_CSP, what);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(r.headers['referrer-policy'], 'no-referrer', what);
}

describe('the console folder served under /console/', () => {
  let s: TestServer;
  let root: string;
  before(async () => {
    root = tempDir('fk-console-');
    s = await startTestServer({ consoleDir: fakeBuild(root) });
  });
  after(async () => {
    await s.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('the CSP is the strict one: nothing inline, nothing off the machine', () => {
    assert.equal(
      CONSOLE_CSP,
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
  });

  test('GET /console redirects (301) to /console/', async () => {
    for (const path of ['/console', '/console?next=cases']) {
      const r = await raw(s.url, path);
      assert.equal(r.status, 301, path);
      assert.equal(r.headers.location, '/console/');
      assertSecurityHeaders(r, path);
    }
  });

  test('/console/ is index.html, revalidated every time, with the security headers; no key needed', async () => {
    const r = await raw(s.url, '/console/');
    assert.equal(r.status, 200);
    assert.equal(r.text, INDEX);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.equal(r.headers['content-length'], String(Buffer.byteLength(INDEX)));
    assert.match(String(r.headers.etag), /^"[\w-]{22}"$/);
    assertSecurityHeaders(r, '/console/');
    const keyed = await call(s.url, '/console/', { key: s.keys.support });
    assert.equal(keyed.text, INDEX, 'a key changes nothing');
  });

  test('hashed assets are cached for a year as immutable, with their content types', async () => {
    const js = await raw(s.url, '/console/assets/app-abc123.js');
    assert.equal(js.status, 200);
    assert.equal(js.text, APP);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assertSecurityHeaders(js, 'js');
    const css = await raw(s.url, '/console/assets/style-def456.css');
    assert.deepEqual([css.status, css.text, css.headers['content-type'], css.headers['cache-control']], [200, CSS, 'text/css; charset=utf-8', 'public, max-age=31536000, immutable']);
  });

  test('other files at the root are served revalidated', async () => {
    const r = await raw(s.url, '/console/favicon.svg');
    assert.deepEqual([r.status, r.text, r.headers['content-type'], r.headers['cache-control']], [200, SVG, 'image/svg+xml', 'no-cache']);
    assertSecurityHeaders(r, 'favicon');
  });

  test('any other path under /console/ is the app (SPA fallback); a missing asset is a 404', async () => {
    for (const path of ['/console/cases', '/console/cases/case-12', '/console/cases/', '/console/overview?window=60', '/console/index.html', '/console//cases', '/console/%E6%A1%88%E4%BB%B6']) {
      const r = await raw(s.url, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.text, INDEX, path);
      assert.equal(r.headers['cache-control'], 'no-cache', path);
      assertSecurityHeaders(r, path);
    }
    for (const path of ['/console/assets/app-zzz999.js', '/console/assets/', '/console/assets']) {
      const r = await raw(s.url, path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assertSecurityHeaders(r, path);
    }
  });

  test('HEAD answers the headers of GET without a body; If-None-Match gives a 304', async () => {
    const head = await raw(s.url, '/console/assets/app-abc123.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(APP)));
    assert.equal(head.headers['cache-control'], 'public, max-age=31536000, immutable');
    const index = await raw(s.url, '/console/');
    const again = await raw(s.url, '/console/', 'GET', { 'if-none-match': String(index.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    assertSecurityHeaders(again, '304');
    const changed = await raw(s.url, '/console/', 'GET', { 'if-none-match': '"something-else"' });
    assert.equal(changed.status, 200);
  });

  test('only GET and HEAD (405 with Allow)', async () => {
    const r = await raw(s.url, '/console/', 'POST');
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET, HEAD');
    assertSecurityHeaders(r, 'POST');
  });

  test('no way out of the folder: every traversal attempt is a 404 and nothing outside is shown', async () => {
    const attempts = [
      '/console/../secret.txt', '/console/..', '/console/assets/../../secret.txt', '/console/%2e%2e/secret.txt', '/console/%2E%2E/secret.txt',
      '/console/.%2e/secret.txt', '/console/assets/..%2f..%2fsecret.txt', '/console/..%2fsecret.txt', '/console/..%5csecret.txt',
      '/console/..\\secret.txt', '/console/assets\\..\\..\\secret.txt', '/console/%5c..%5csecret.txt', '/console/assets/app-abc123.js%00',
      '/console/%00', '/console/index.html%00.js', '/console/./index.html', '/console/%2e/index.html', '/console/%', '/console/%zz',
      '/console/%c0%ae%c0%ae/secret.txt',
    ];
    for (const path of attempts) {
      const r = await raw(s.url, path);
      assert.equal(r.status, 404, path);
      assert.ok(!r.text.includes(SECRET) && !r.text.includes('<html'), path);
      assertSecurityHeaders(r, path);
    }
    // a raw NUL or space in the request line never gets this far: the HTTP parser refuses it
    const nul = await rawBytes(s.url, 'GET /console/\0../secret.txt HTTP/1.1');
    assert.ok(!nul.includes(SECRET));
    assert.match(nul, /^HTTP\/1\.1 400/);
  });

  test('symlinks and dot files in the folder are never served', async () => {
    for (const path of ['/console/link.txt', '/console/.env']) {
      const r = await raw(s.url, path);
      assert.ok(!r.text.includes(SECRET), path);
      assert.equal(r.text, INDEX, `${path}: not a file of the build, so the app's page`);
    }
    const asset = await raw(s.url, '/console/assets/link.js');
    assert.equal(asset.status, 404);
    assert.ok(!asset.text.includes(SECRET));
  });

  test('only /console and /console/… are the console; the API is untouched', async () => {
    const other = await raw(s.url, '/consoles');
    assert.equal(other.status, 404);
    assert.equal(JSON.parse(other.text).error.code, 'not_found');
    assert.equal(other.headers['content-security-policy'], undefined);
    assert.equal((await call(s.url, '/healthz')).status, 200);
  });
});

describe('without a console build', () => {
  let s: TestServer;
  let root: string;
  before(async () => {
    root = tempDir('fk-console-');
    s = await startTestServer({ consoleDir: join(root, 'no-such-folder') });
  });
  after(async () => {
    await s.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('/console/ and every page under it say how to build it (404); the redirect still works', async () => {
    for (const path of ['/console/', '/console/cases/1', '/console/assets/app-abc123.js']) {
      const r = await raw(s.url, path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.match(r.text, /npm run build:console/);
      assertSecurityHeaders(r, path);
    }
    assert.equal((await raw(s.url, '/console')).status, 301);
  });
});

describe('ConsoleFiles', () => {
  test('a build made after the server started is picked up (looked for at most every retryMs), then kept', () => {
    const root = tempDir('fk-console-');
    try {
      let now = 0;
      const dir = join(root, 'console');
      const files = new ConsoleFiles(dir, { ...CONSOLE_LIMITS, retryMs: 1_000 }, () => now);
      assert.equal(files.answer('GET', '/console/').status, 404);
      fakeBuild(root);
      now = 500;
      assert.equal(files.answer('GET', '/console/').status, 404, 'not looked for again yet');
      now = 1_000;
      const found = files.answer('GET', '/console/');
      assert.deepEqual([found.status, found.body.toString()], [200, INDEX]);
      writeFileSync(join(dir, 'index.html'), 'rebuilt');
      now = 60_000;
      assert.equal(files.answer('GET', '/console/').body.toString(), INDEX, 'one snapshot for the life of the server');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a folder beyond the limits is not served, and says why', () => {
    const root = tempDir('fk-console-');
    try {
      const dir = fakeBuild(root);
      const files = new ConsoleFiles(dir, { ...CONSOLE_LIMITS, maxFiles: 2 });
      const r = files.answer('GET', '/console/');
      assert.equal(r.status, 404);
      assert.match(r.body.toString(), /not served: the console folder holds more than 2 files/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('matches /console and what is under /console/ only', () => {
    assert.deepEqual(['/console', '/console/', '/console/a/b', '/consoles', '/consol', '/v1/console', '/Console'].map(ConsoleFiles.matches), [true, true, true, false, false, false, false]);
  });
});
