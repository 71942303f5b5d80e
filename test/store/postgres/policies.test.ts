// The PostgreSQL policy store: the shared PolicyStore contract (with the audit log joining its
// transactions) on a fresh database per test, then what is the cluster's own: notes and reasons
// sealed in the raw rows, and two nodes drafting at once numbering their versions without a clash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgAuditLog } from '../../../src/store/postgres/audit.js';
import { PgCrypt } from '../../../src/store/postgres/crypt.js';
import { PgPolicyStore } from '../../../src/store/postgres/policies.js';
import { policiesContract, type PoliciesUnderTest } from '../contract/policies.js';
import { pgHarness, quietly } from './contract-harness.js';
import { testPostgres } from './harness.js';

policiesContract('PgPolicyStore', pgHarness<PoliciesUnderTest>(async ({ pg, masterKeyFile }) => {
  const crypt = await PgCrypt.open(pg, { masterKeyFile });
  const policies = await PgPolicyStore.open(pg, { crypt });
  return { port: { policies, audit: new PgAuditLog(pg, crypt) } };
}));

const SOURCES = [{ file: '10-a.fk', text: 'rule A\n  when amount > 1\n  score 5\n' }];

function masterKey(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fk-pgpol-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'master.key');
}

test('PgPolicyStore: proposal notes and reasons are sealed in the raw rows, clear through the port', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const s = await quietly(() => PgPolicyStore.open(p, { masterKeyFile: masterKey(t) }));
  await s.createVersion({ parent: null, author: 'key_a', description: 'd', sources: SOURCES, model: null });
  const prop = await s.propose(1, 'key_a', 'NOTE-SECRET per call with Zhang Wei');
  await s.decideProposal(prop.id, 'rejected', 'key_b', 'REASON-SECRET too strict');
  await s.publish({ version: 1, kind: 'rollback', fromVersion: null, actor: 'key_b', proposedBy: null, proposalId: null, journalSeq: 3, reason: 'PUB-SECRET fraud wave' });
  const raw = JSON.stringify([(await p.pool.query('SELECT * FROM policy_proposals')).rows, (await p.pool.query('SELECT * FROM policy_publications')).rows]);
  for (const secret of ['NOTE-SECRET', 'Zhang', 'REASON-SECRET', 'PUB-SECRET']) assert.ok(!raw.includes(secret), `no ${secret} in the raw rows`);
  assert.deepEqual((await s.proposals(1)).map((x) => [x.note, x.reason]), [['NOTE-SECRET per call with Zhang Wei', 'REASON-SECRET too strict']]);
  assert.equal((await s.live())?.reason, 'PUB-SECRET fraud wave');
});

test('PgPolicyStore: two nodes drafting at once get distinct, gapless version numbers', async (t) => {
  const { open } = await testPostgres(t);
  const key = masterKey(t);
  const [p1, p2] = await Promise.all([open(), open()]);
  const one = await quietly(() => PgPolicyStore.open(p1, { masterKeyFile: key }));
  const two = await PgPolicyStore.open(p2, { masterKeyFile: key });
  const draft = (author: string) => ({ parent: null, author, description: 'd', sources: SOURCES, model: null });
  const made = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? one : two).createVersion(draft(`node-${i % 2}`))));
  assert.deepEqual(made.map((v) => v.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(await one.nextVersion(), 11);
});
