// Encryption at rest on PostgreSQL: sealed columns hold no clear value, tokens are per cluster and
// master key, rotations travel between nodes, and one data key however many nodes start together.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { SEALED_MARK, sealedTextBytes } from '../../../src/crypto/index.js';
import { ConfigError, CryptoError, ErrorCode } from '../../../src/errors.js';
import { PgCrypt } from '../../../src/store/postgres/crypt.js';
import { testPostgres } from './harness.js';

/** A folder for master key files, removed after the test. */
function keyDir(t: TestContext): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'fk-pgkeys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return (name) => join(dir, name);
}

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = () => true; // the one "created the master key" line per new key file
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}

describe('postgres: PgCrypt', () => {
  it('seals text and bytes so the stored bytes hold no clear value, and opens them', async (t) => {
    const { open } = await testPostgres(t);
    const key = keyDir(t);
    const p = await open();
    const crypt = await quietly(() => PgCrypt.open(p, { masterKeyFile: key('m.key') }));
    assert.ok(existsSync(key('m.key')));
    await p.pool.query('CREATE TABLE personal (t text, b bytea)');
    const clear = 'dev-SECRET-4f1c Zhang Wei 13800138000';
    await p.pool.query('INSERT INTO personal VALUES ($1, $2)', [crypt.sealText(clear), crypt.sealBytes(Buffer.from(clear))]);
    const raw = await p.pool.query<{ t: string; b: Buffer; tb: Buffer }>("SELECT t, b, convert_to(t, 'UTF8') AS tb FROM personal");
    const row = raw.rows[0];
    assert.ok(row.t.startsWith(SEALED_MARK));
    for (const stored of [row.tb, row.b]) {
      assert.ok(!stored.includes(Buffer.from('SECRET')) && !stored.includes(Buffer.from('13800138000')));
    }
    assert.equal(await crypt.openText(row.t), clear);
    assert.equal((await crypt.openBytes(row.b)).toString(), clear);
    assert.equal(await crypt.openOpt(null), null);
    assert.equal(await crypt.openText('{"written":"in clear"}'), '{"written":"in clear"}');
    assert.notEqual(crypt.sealText(clear), crypt.sealText(clear));
  });

  it('tokens: equal for equal values, different across values, clusters and master keys', async (t) => {
    const { open } = await testPostgres(t);
    const key = keyDir(t);
    const [c1, c2] = await Promise.all([open('one'), open('two')]);
    const a = await quietly(() => PgCrypt.open(c1, { masterKeyFile: key('a.key') }));
    const a2 = await PgCrypt.open(c1, { masterKeyFile: key('a.key') });
    const b = await PgCrypt.open(c2, { masterKeyFile: key('a.key') });
    const other = await testPostgres(t);
    const c3 = await other.open('one');
    const d = await quietly(() => PgCrypt.open(c3, { masterKeyFile: key('d.key') }));
    const tok = a.token('device', 'dev-1');
    assert.match(tok, /^t:[0-9a-f]{64}$/);
    assert.equal(a2.token('device', 'dev-1'), tok);
    assert.notEqual(a.token('device', 'dev-2'), tok);
    assert.notEqual(a.token('ip', 'dev-1'), tok);
    assert.notEqual(b.token('device', 'dev-1'), tok, 'another cluster, same master key');
    assert.notEqual(d.token('device', 'dev-1'), tok, 'same cluster name, another master key');
    await a.rotate();
    assert.equal(a.token('device', 'dev-1'), tok, 'a rotation keeps tokens');
  });

  it('a rotation on one node is picked up by another: it opens at once and seals after a refresh', async (t) => {
    const { open } = await testPostgres(t);
    const key = keyDir(t);
    const [p1, p2] = await Promise.all([open(), open()]);
    const one = await quietly(() => PgCrypt.open(p1, { masterKeyFile: key('m.key') }));
    const two = await PgCrypt.open(p2, { masterKeyFile: key('m.key') });
    assert.equal(one.activeId, 1);
    assert.equal(two.activeId, 1);
    const before = one.sealText('before');
    assert.equal(await one.rotate(), 2);
    const after = one.sealText('after');
    assert.equal(await two.openText(after), 'after', 'an unknown key id makes the reader look for it');
    assert.equal(await two.openText(before), 'before');
    assert.equal(two.activeId, 2);
    assert.equal(await two.rotate(), 3, 'a rotation starts above every node\'s keys');
    await one.refresh();
    assert.equal(one.activeId, 3);
    assert.deepEqual((await Promise.all([one.rotate(), two.rotate()])).sort(), [4, 5], 'rotations at once on two nodes: one after the other');
    const ids = await p1.pool.query<{ id: number }>('SELECT id FROM data_keys ORDER BY id');
    assert.deepEqual(ids.rows.map((r) => r.id), [1, 2, 3, 4, 5]);
  });

  it('a node that only seals moves to a key rotated elsewhere within the refresh period (2 s)', async (t) => {
    const { open } = await testPostgres(t);
    const key = keyDir(t);
    const [p1, p2] = await Promise.all([open(), open()]);
    const one = await quietly(() => PgCrypt.open(p1, { masterKeyFile: key('m.key') }));
    const two = await PgCrypt.open(p2, { masterKeyFile: key('m.key') });
    await one.rotate();
    const keyOf = (sealed: string): number => sealedTextBytes(sealed).readUInt32BE(1);
    assert.equal(keyOf(two.sealText('x')), 1, 'before the refresh period, the key it knows');
    await new Promise((r) => setTimeout(r, 2100));
    two.sealText('x'); // due: starts a look in the background
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(keyOf(two.sealText('x')), 2);
  });

  it('two nodes opening an empty schema at once make exactly one data key', async (t) => {
    const { open } = await testPostgres(t);
    const key = keyDir(t);
    const pools = await Promise.all([1, 2, 3, 4].map(() => open()));
    const crypts = await quietly(() => Promise.all(pools.map((p) => PgCrypt.open(p, { masterKeyFile: key('m.key') }))));
    const rows = await pools[0].pool.query<{ id: number }>('SELECT id FROM data_keys');
    assert.deepEqual(rows.rows, [{ id: 1 }]);
    const sealed = crypts[0].sealText('shared');
    for (const c of crypts) {
      assert.equal(c.activeId, 1);
      assert.equal(await c.openText(sealed), 'shared');
    }
  });

  it('a wrong master key is a CryptoError naming the file; no key file at all is a ConfigError', async (t) => {
    const { open } = await testPostgres(t);
    const key = keyDir(t);
    const p = await open();
    await quietly(() => PgCrypt.open(p, { masterKeyFile: key('right.key') }));
    const elsewhere = await open('elsewhere');
    await quietly(() => PgCrypt.open(elsewhere, { masterKeyFile: key('wrong.key') }));
    await assert.rejects(PgCrypt.open(p, { masterKeyFile: key('wrong.key') }), (e: unknown) =>
      e instanceof CryptoError && e.code === ErrorCode.Crypto && e.message.includes(key('wrong.key')) && e.message.includes(p.schema));
    await assert.rejects(PgCrypt.open(p, { masterKeyFile: key('missing.key') }), (e: unknown) =>
      e instanceof CryptoError && e.message.includes(key('missing.key')));
    assert.equal(existsSync(key('missing.key')), false, 'a cluster with keys never gets a new master key file');
    const env = process.env.FENGKONG_MASTER_KEY_FILE;
    delete process.env.FENGKONG_MASTER_KEY_FILE;
    try {
      await assert.rejects(PgCrypt.open(p), (e: unknown) => e instanceof ConfigError && e.message.includes('--master-key-file'));
      process.env.FENGKONG_MASTER_KEY_FILE = key('right.key');
      assert.equal((await PgCrypt.open(p)).activeId, 1);
    } finally {
      if (env === undefined) delete process.env.FENGKONG_MASTER_KEY_FILE;
      else process.env.FENGKONG_MASTER_KEY_FILE = env;
    }
  });
});
