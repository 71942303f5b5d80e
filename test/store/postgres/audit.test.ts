// The PostgreSQL audit log: the shared AuditLog contract on a fresh database per test, then what is
// the cluster's own: the database refuses to rewrite history, personal snapshots are sealed in the
// raw column, `fengkong audit verify`'s walk checks the chain, and two nodes appending at once still
// form one unbroken chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainVerifier } from '../../../src/audit/chain.js';
import { walkChain } from '../../../src/cli/audit.js';
import { PgAuditLog } from '../../../src/store/postgres/audit.js';
import { auditContract } from '../contract/audit.js';
import { pgHarness, quietly } from './contract-harness.js';
import { testPostgres } from './harness.js';

auditContract('PgAuditLog', pgHarness(async ({ pg, masterKeyFile }) => ({ port: await PgAuditLog.open(pg, { masterKeyFile }) })));

/** A master key file in a temp folder removed after the test. */
function masterKey(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fk-pgaudit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'master.key');
}

test('PgAuditLog: the database refuses UPDATE, DELETE and TRUNCATE of the log', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const log = await quietly(() => PgAuditLog.open(p, { masterKeyFile: masterKey(t) }));
  await log.append({ actor: 'k', action: 'a.b', target: 't' });
  await assert.rejects(p.pool.query("UPDATE audit_log SET actor = 'someone else'"), /append-only/);
  await assert.rejects(p.pool.query('DELETE FROM audit_log'), /append-only/);
  await assert.rejects(p.pool.query('TRUNCATE audit_log'), /append-only/);
  const n = await p.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
  assert.equal(n.rows[0].n, '1');
});

test('PgAuditLog: personal snapshots are sealed in the raw columns, clear through list, and verify without opening', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const log = await quietly(() => PgAuditLog.open(p, { masterKeyFile: masterKey(t) }));
  const clear = { reason: 'Zhang Wei called from 13800138000', note: 'SECRET-7f' };
  const a = await log.append({ actor: 'key_a', action: 'account.hold', target: 'accounts/acc-1', before: null, after: clear });
  const b = await log.append({ actor: 'key_a', action: 'list.create', target: 'lists/x', after: { name: 'x' } });
  assert.deepEqual(a.after, clear, 'the entry appended carries the clear snapshot');
  const raw = await p.pool.query<{ before: string | null; after: string | null }>('SELECT before, after FROM audit_log ORDER BY seq');
  const text = JSON.stringify(raw.rows);
  for (const secret of ['Zhang', '13800138000', 'SECRET-7f']) assert.ok(!text.includes(secret), `no ${secret} in the raw rows`);
  assert.match(raw.rows[0].after ?? '', /^\{"sealed":/);
  assert.equal(raw.rows[1].after, '{"name":"x"}', 'a change without personal data is kept as it is');
  assert.deepEqual((await log.list()).map((e) => e.after), [{ name: 'x' }, clear]);
  const v = new ChainVerifier({ seq: b.seq, hash: b.hash });
  await walkChain(log, v);
  assert.deepEqual(v.verdict(), { ok: true, entries: 2, head: { seq: b.seq, hash: b.hash } });
});

test('PgAuditLog: two nodes appending at once form one unbroken chain; a forged row breaks it', async (t) => {
  const { open } = await testPostgres(t);
  const key = masterKey(t);
  const [p1, p2] = await Promise.all([open(), open()]);
  const one = await quietly(() => PgAuditLog.open(p1, { masterKeyFile: key }));
  const two = await PgAuditLog.open(p2, { masterKeyFile: key });
  const burst = (log: PgAuditLog, node: string): Promise<unknown>[] =>
    Array.from({ length: 30 }, (_, i) => log.append({ actor: node, action: i % 3 === 0 ? 'case.note' : 'mode.on', target: `t/${i}`, after: { i, node } }));
  await Promise.all([...burst(one, 'node-1'), ...burst(two, 'node-2')]);
  const v = new ChainVerifier();
  await walkChain(two, v);
  const verdict = v.verdict();
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  assert.equal(verdict.entries, 60);
  assert.deepEqual(verdict.ok ? verdict.head : null, await one.head());
  const actors = new Set((await one.list({ limit: 1000 })).map((e) => e.actor));
  assert.deepEqual([...actors].sort(), ['node-1', 'node-2']);
  // a row rewritten behind fengkong's back (trigger lifted by the owner) is named by the same walk
  await p1.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_rewrite');
  await p1.pool.query("UPDATE audit_log SET actor = 'forger' WHERE seq = 7");
  const after = new ChainVerifier();
  await walkChain(one, after);
  const broken = after.verdict();
  assert.equal(broken.ok, false);
  assert.equal(broken.ok ? 0 : broken.seq, 7);
});
