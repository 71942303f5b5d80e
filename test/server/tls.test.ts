// `fengkong serve --tls-cert --tls-key`: the real CLI serving HTTPS with a self-signed certificate
// made by openssl for the test, reached by curl --cacert and by node:https with that CA; and the
// refusals of a half or broken TLS setup, each naming its flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/paths.js';
import { createKeys, tempDir } from './helpers.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');
const run = promisify(execFile);

/** A self-signed certificate for 127.0.0.1 and localhost, and its key, in `dir`. */
function selfSigned(dir: string, name = 'server'): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { cert, key };
}

/** GET over node:https trusting only `ca`. */
function httpsGet(url: string, ca: Buffer, key?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: key === undefined ? {} : { authorization: `Bearer ${key}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serve --tls-cert --tls-key: HTTPS for curl --cacert and node:https, the same API; plain HTTP and an untrusted client are refused', async (t) => {
  const dir = tempDir('fk-tls-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { cert, key } = selfSigned(dir);
  const keys = createKeys(join(dir, 'data'));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data', join(dir, 'data'), '--tls-cert', cert, '--tls-key', key], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        const m = /listening on (\S+)/.exec(out);
        if (m !== null) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
    });
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(cert);

    const curl = await run('curl', ['-sS', '--cacert', cert, '-H', `Authorization: Bearer ${keys.analyst}`, `${url}/v1/whoami`]);
    assert.equal(JSON.parse(curl.stdout).role, 'analyst');
    const health = await run('curl', ['-sS', '--cacert', cert, `${url}/healthz`]);
    assert.deepEqual(JSON.parse(health.stdout), { ok: true });

    const head = await httpsGet(`${url}/v1/audit/head`, ca, keys.admin);
    assert.equal(head.status, 200);
    assert.match((JSON.parse(head.body) as { hash: string }).hash, /^[0-9a-f]{64}$/);
    const console = await httpsGet(`${url}/console`, ca);
    assert.equal(console.status, 301, 'the console routes too');
    assert.equal((await httpsGet(`${url}/v1/decisions/x`, ca)).status, 401);

    // a client that does not trust the certificate, and one speaking plain HTTP, get nothing
    await assert.rejects(run('curl', ['-sS', `${url}/healthz`]), /certificate/i);
    await assert.rejects(httpsGet(`${url}/healthz`, Buffer.from(readFileSync(selfSigned(dir, 'other').cert))), /self.signed|certificate/i);
    const plain = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', url.replace('https:', 'http:') + '/healthz']).then(
      (r) => r.stdout,
      () => 'refused',
    );
    assert.notEqual(plain, '200', 'plain HTTP is not served');
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, `a graceful stop; stderr: ${stderr}`);
  }
});

test('serve: a half, missing or broken TLS setup is refused naming the flag', async (t) => {
  const dir = tempDir('fk-tls-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { cert, key } = selfSigned(dir);
  const other = selfSigned(dir, 'other');
  const serve = async (...args: string[]): Promise<{ code: number; stderr: string }> =>
    run(process.execPath, [CLI, 'serve', '--port', '0', '--data', join(dir, 'data'), ...args]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
  const onlyCert = await serve('--tls-cert', cert);
  assert.equal(onlyCert.code, 2);
  assert.match(onlyCert.stderr, /--tls-cert needs --tls-key too/);
  const onlyKey = await serve('--tls-key', key);
  assert.match(onlyKey.stderr, /--tls-key needs --tls-cert too/);
  const missing = await serve('--tls-cert', join(dir, 'nope.crt'), '--tls-key', key);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--tls-cert .*nope\.crt: cannot read it \(no such file\)/);
  const folder = await serve('--tls-cert', cert, '--tls-key', dir);
  assert.match(folder.stderr, /--tls-key .*: cannot read it \(a folder, not a file\)/);
  const junk = join(dir, 'junk.pem');
  writeFileSync(junk, 'not a certificate\n');
  const notPem = await serve('--tls-cert', junk, '--tls-key', key);
  assert.equal(notPem.code, 2);
  assert.match(notPem.stderr, /cannot serve HTTPS: the --tls-cert \/ --tls-key files are not a PEM certificate/);
  const mismatch = await serve('--tls-cert', cert, '--tls-key', other.key);
  assert.equal(mismatch.code, 2);
  assert.match(mismatch.stderr, /the --tls-key is not the private key of the --tls-cert certificate/);
});
