// The PostgreSQL case store: the shared CaseStore contract (with the audit log joining its
// transactions) on a fresh database per test, then what is the cluster's own: the free texts sealed
// in the raw rows, and two nodes opening and assigning cases at once keeping SQLite's invariants —
// numbers unique and gap-free, one unresolved case per subject and issue, and no assignment that
// silently replaces another (each one records the assignee it replaced, and a claim of a claimed
// case is refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError } from '../../../src/errors.js';
import type { OpenCaseRequest } from '../../../src/cases/types.js';
import { PgAuditLog } from '../../../src/store/postgres/audit.js';
import { PgCaseStore } from '../../../src/store/postgres/cases.js';
import { PgCrypt } from '../../../src/store/postgres/crypt.js';
import { casesContract, type CasesUnderTest } from '../contract/cases.js';
import { pgHarness, quietly } from './contract-harness.js';
import { testPostgres } from './harness.js';

casesContract('PgCaseStore', pgHarness<CasesUnderTest>(async ({ pg, masterKeyFile }) => {
  const crypt = await PgCrypt.open(pg, { masterKeyFile });
  return { port: { cases: await PgCaseStore.open(pg, { crypt }), audit: new PgAuditLog(pg, crypt) } };
}));

const T = 1_700_000_000_000;
const req = (subjectId: string, extra: Partial<OpenCaseRequest> = {}): OpenCaseRequest => ({
  subjectKind: 'account', subjectId, issue: 'review', source: { kind: 'decision', ref: `tx-${subjectId}` }, txId: `tx-${subjectId}`,
  risk: 30, amount: 10_000, actor: 'engine', ...extra,
});

function masterKey(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fk-pgcases-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'master.key');
}

/** Two nodes on one database: each its pool, case store and audit log (joining that store's transactions). */
async function twoNodes(t: Parameters<typeof testPostgres>[0]): Promise<[{ s: PgCaseStore; audit: PgAuditLog }, { s: PgCaseStore; audit: PgAuditLog }]> {
  const { open } = await testPostgres(t);
  const key = masterKey(t);
  const [p1, p2] = await Promise.all([open(), open()]);
  const one = await quietly(() => PgCaseStore.open(p1, { masterKeyFile: key }));
  const two = await PgCaseStore.open(p2, { masterKeyFile: key });
  return [
    { s: one, audit: await PgAuditLog.open(p1, { masterKeyFile: key }) },
    { s: two, audit: await PgAuditLog.open(p2, { masterKeyFile: key }) },
  ];
}

test('PgCaseStore: item notes and details and case notes are sealed in the raw rows, clear through the port', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const s = await quietly(() => PgCaseStore.open(p, { masterKeyFile: masterKey(t) }));
  await s.transaction(async () => {
    await s.openOrJoin(req('A1', { note: 'NOTE-SECRET Zhang Wei called', detail: { phone: '13800138000' } }), T, 100);
    await s.addNote(1, 'key_ana', 'CASE-SECRET spoke to Li Na', T + 1);
  });
  const raw = JSON.stringify([(await p.pool.query('SELECT * FROM case_items')).rows, (await p.pool.query('SELECT * FROM case_notes')).rows]);
  for (const secret of ['NOTE-SECRET', 'Zhang', '13800138000', 'CASE-SECRET', 'Li Na']) assert.ok(!raw.includes(secret), `no ${secret} in the raw rows`);
  const r = (await s.get(1))!;
  assert.deepEqual([r.itemList[0].note, r.itemList[0].detail, r.notes[0].text], ['NOTE-SECRET Zhang Wei called', { phone: '13800138000' }, 'CASE-SECRET spoke to Li Na']);
});

test('PgCaseStore: two nodes opening cases at once number them 1, 2, 3, … without a gap or a clash; one case per subject', async (t) => {
  const [{ s: one }, { s: two }] = await twoNodes(t);
  const opening = (s: PgCaseStore, node: string) =>
    Array.from({ length: 15 }, (_, i) => s.transaction(() => s.openOrJoin(req(`${node}-${i}`), T + i, 100)));
  // and both nodes joining the same subject: one case, every item on it
  const shared = (s: PgCaseStore, node: string) =>
    Array.from({ length: 5 }, (_, i) => s.transaction(() => s.openOrJoin(req('SHARED', { source: { kind: 'decision', ref: `${node}-${i}` } }), T, 100)));
  // and a few opened outside any transaction of the caller's: numbered under the lock all the same
  const bare = [one, two, one, two].map((s, i) => s.openOrJoin(req(`bare-${i}`), T, 100));
  const results = await Promise.all([...opening(one, 'n1'), ...opening(two, 'n2'), ...shared(one, 'n1'), ...shared(two, 'n2'), ...bare]);
  assert.equal(results.filter((r) => r.created).length, 35);
  const all = (await one.list({ status: 'all', limit: 500 })).cases;
  assert.deepEqual(all.map((c) => Number(c.id.slice(5))).sort((a, b) => a - b), Array.from({ length: 35 }, (_, i) => i + 1));
  const sharedCase = all.filter((c) => c.subjectId === 'SHARED');
  assert.equal(sharedCase.length, 1);
  assert.equal(sharedCase[0].items, 10, 'every node\'s item joined the one case');
});

test('PgCaseStore: two nodes assigning one case at once: each records the assignee it replaced; a claim of a claimed case is refused', async (t) => {
  const [n1, n2] = await twoNodes(t);
  const [one, two] = [n1.s, n2.s];
  await one.transaction(() => one.openOrJoin(req('A1'), T, 100));
  // what CaseService.assign does inside one transaction: read the assignee, set it, record the change
  const assign = ({ s, audit }: typeof n1, who: string) => s.transaction(async () => {
    const before = (await s.summary(1))!;
    await s.assign(1, who, T + 1);
    await s.history(1, T + 1, who, 'assign', before.assignee, who);
    await audit.append({ actor: who, action: 'case.assign', target: 'cases/case-1', before: { assignee: before.assignee }, after: { assignee: who } });
  });
  await Promise.all(Array.from({ length: 10 }, (_, i) => assign(i % 2 === 0 ? n1 : n2, `key_${i}`)));
  const h = (await two.get(1))!.history.filter((x) => x.action === 'assign');
  assert.equal(h.length, 10);
  h.forEach((x, i) => assert.equal(x.from, i === 0 ? null : h[i - 1].to, `assignment ${x.n} names the one it replaced`));
  assert.equal((await one.summary(1))?.assignee, h[9].to);
  assert.equal((await n2.audit.list({ action: 'case.assign' })).length, 10, 'every assignment audited with it');
  // a claim: take the case only when nobody has it
  await one.transaction(() => one.assign(1, null, T + 2));
  const claim = (s: PgCaseStore, who: string) => s.transaction(async () => {
    const before = (await s.summary(1))!;
    if (before.assignee !== null) throw new ConflictError(`case-1 is ${before.assignee}'s`);
    await s.assign(1, who, T + 3);
    return who;
  });
  const claims = await Promise.allSettled([claim(one, 'key_ana'), claim(two, 'key_bob'), claim(one, 'key_cy'), claim(two, 'key_di')]);
  const won = claims.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  assert.equal(won.length, 1);
  assert.ok(claims.every((c) => c.status === 'fulfilled' || c.reason instanceof ConflictError));
  assert.equal((await two.summary(1))?.assignee, won[0]);
});
