// The case service on its own (an in-memory SQLite file): the CaseOpener contract other modules
// rely on — one open case per subject and issue, items deduplicated by ref, priority = risk × amount
// with ties by age — validation that names the field and changes nothing, the background batch
// with its checkpoint, and resolution labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { CaseService } from '../../src/cases/service.js';
import { priorityOf, type OpenCaseInput } from '../../src/cases/types.js';
import type { FkEvent } from '../../src/contract/events.js';
import { SqliteAuditLog } from '../../src/store/sqlite/audit.js';
import { SqliteCaseStore } from '../../src/store/sqlite/cases.js';

function service(labels: FkEvent[][] = []) {
  const db = new BetterSqlite3(':memory:');
  let now = 1_000;
  const audit = new SqliteAuditLog(db);
  const svc = new CaseService({
    store: new SqliteCaseStore(db),
    audit,
    now: () => now++,
    labelClock: () => Date.UTC(2026, 10, 20),
    labels: (events, cb) => {
      labels.push([...events]);
      cb(null, events.length);
    },
  });
  return { svc, audit, db };
}

const input = (extra: Partial<OpenCaseInput> = {}): OpenCaseInput => ({
  subjectKind: 'account', subjectId: 'A1', issue: 'appeal', source: { kind: 'appeal', ref: 'ap-1' },
  risk: 20, amount: 50_000, note: 'customer says it was them', actor: 'key_support', ...extra,
});

test('open: one case per subject and issue; the same ref never joins twice; totals and priority follow', () => {
  const { svc } = service();
  const a = svc.open(input());
  assert.deepEqual(a, { caseId: 'case-1', created: true });
  assert.deepEqual(svc.open(input({ source: { kind: 'appeal', ref: 'ap-2' }, risk: 60, amount: 10_000 })), { caseId: 'case-1', created: false });
  assert.deepEqual(svc.open(input({ source: { kind: 'appeal', ref: 'ap-2' }, risk: 70 })), { caseId: 'case-1', created: false });
  const c = svc.get('case-1');
  assert.deepEqual([c.items, c.amount, c.risk, c.priority], [2, 60_000, 70, priorityOf(70, 60_000)]);
  assert.equal(c.itemList[1].risk, 70, 'a repeated ref refreshes the item\'s risk');
  // another issue or another subject is another case
  assert.equal(svc.open(input({ issue: 'review' })).caseId, 'case-2');
  assert.equal(svc.open(input({ subjectId: 'A2' })).caseId, 'case-3');
  assert.equal(svc.open(input({ subjectKind: 'merchant', subjectId: 'A1' })).caseId, 'case-4');
});

test('open refuses bad input with the field named, and changes nothing', () => {
  const { svc, audit } = service();
  const bad: [Partial<OpenCaseInput> | Record<string, unknown>, string][] = [
    [{ subjectKind: 'card' as never }, 'subjectKind'],
    [{ subjectId: '' }, 'subjectId'],
    [{ issue: 'Appeal' }, 'issue'],
    [{ source: { kind: 'email' } as never }, 'source.kind'],
    [{ risk: NaN }, 'risk'],
    [{ risk: 100.5 }, 'risk'],
    [{ amount: 1.5 }, 'amount'],
    [{ amount: -1 }, 'amount'],
    [{ actor: '' }, 'actor'],
    [{ note: '' }, 'note'],
  ];
  for (const [extra, path] of bad) {
    assert.throws(() => svc.open({ ...input(), ...extra } as OpenCaseInput), (e: { path?: string }) => e.path === path, path);
  }
  assert.equal(svc.list({ status: 'all' }).cases.length, 0);
  assert.equal(audit.list().length, 0);
});

test('the queue: priority first, ties by age then id; filters; paging', () => {
  const { svc } = service();
  svc.open(input({ subjectId: 'low', risk: 10, amount: 10_000 }));
  svc.open(input({ subjectId: 'tie-old', risk: 50, amount: 20_000 }));
  svc.open(input({ subjectId: 'high', risk: 90, amount: 100_000 }));
  svc.open(input({ subjectId: 'tie-new', risk: 20, amount: 50_000 }));
  svc.open(input({ subjectId: 'zero', risk: 100, amount: 0, issue: 'detector:cashout_ring', subjectKind: 'merchant' }));
  const ids = (q: Parameters<CaseService['list']>[0]) => svc.list(q).cases.map((c) => c.subjectId);
  assert.deepEqual(ids({}), ['high', 'tie-old', 'tie-new', 'low', 'zero']);
  assert.deepEqual(ids({ issue: 'detector:' }), ['zero']);
  assert.deepEqual(ids({ subjectKind: 'account', subjectId: 'low' }), ['low']);
  const p1 = svc.list({ limit: 2 });
  const p2 = svc.list({ limit: 2, after: p1.next! });
  const p3 = svc.list({ limit: 2, after: p2.next! });
  assert.deepEqual([...p1.cases, ...p2.cases, ...p3.cases].map((c) => c.subjectId), ids({}));
  assert.equal(p3.next, null);
  svc.assign('case-1', { assignee: 'alice' }, 'key_a');
  assert.deepEqual(ids({ assignee: 'alice' }), ['low']);
  assert.deepEqual(ids({ assignee: null }).length, 4);
});

test('resolve: final, labels for every payment and the subject, history and audit', async () => {
  const emitted: FkEvent[][] = [];
  const { svc, audit } = service(emitted);
  svc.open({ ...input({ issue: 'review', source: { kind: 'decision', ref: 'tx-1' } }), txId: 'tx-1' } as OpenCaseInput);
  svc.open({ ...input({ issue: 'review', source: { kind: 'decision', ref: 'tx-2' } }), txId: 'tx-2' } as OpenCaseInput);
  svc.setStatus('case-1', { status: 'investigating' }, 'key_a');
  const r = await svc.resolve('case-1', { resolution: 'fraud', typology: 'account_takeover' }, 'key_a');
  assert.equal(r.labels, 3);
  assert.deepEqual(
    emitted[0].map((e) => (e.type === 'label' ? [e.txId ?? e.accountId, e.fraud, e.typology, e.source] : null)),
    [['tx-1', true, 'account_takeover', 'case:case-1'], ['tx-2', true, 'account_takeover', 'case:case-1'], ['A1', true, 'account_takeover', 'case:case-1']],
  );
  await assert.rejects(svc.resolve('case-1', { resolution: 'legitimate' }, 'key_b'), /resolved as fraud/);
  assert.throws(() => svc.setStatus('case-1', { status: 'open' }, 'key_b'), /cannot be moved to open/);
  assert.equal(emitted.length, 1);
  const c = svc.get('case-1');
  assert.deepEqual(c.history.map((h) => [h.action, h.from, h.to]), [
    ['open', null, 'open'],
    ['status', 'open', 'investigating'],
    ['resolve', 'investigating', 'resolved:fraud'],
  ]);
  assert.deepEqual(audit.list().map((e) => e.action).reverse(), ['case.open', 'case.item', 'case.status', 'case.resolve']);
  // a new finding opens a new case
  assert.deepEqual(svc.open({ ...input({ issue: 'review', source: { kind: 'decision', ref: 'tx-3' } }), txId: 'tx-3' } as OpenCaseInput), { caseId: 'case-2', created: true });
});

test('labels a crash left unjournaled are emitted again at start', async () => {
  const emitted: FkEvent[][] = [];
  const db = new BetterSqlite3(':memory:');
  const store = new SqliteCaseStore(db);
  const failing = new CaseService({ store, audit: new SqliteAuditLog(db), labels: (_e, cb) => cb(new Error('journal down'), 0) });
  failing.open(input());
  await assert.rejects(failing.resolve('case-1', { resolution: 'legitimate' }, 'key_a'), /journal down/);
  assert.equal(failing.get('case-1').labels, null, 'pending');
  const restarted = new CaseService({ store, audit: new SqliteAuditLog(db), labels: (e, cb) => (emitted.push([...e]), cb(null, e.length)) });
  assert.equal(await restarted.resumeLabels(), 1);
  assert.equal(restarted.get('case-1').labels, 1);
  assert.equal(emitted[0][0].type === 'label' && emitted[0][0].fraud, false);
  assert.equal(await restarted.resumeLabels(), 0);
});

test('the background batch writes cases with the feed checkpoint, or nothing when the lock is busy', () => {
  const { svc, db } = service();
  const req = checkOpenReq();
  assert.equal(svc.openBatch([req], 42)?.length, 1);
  assert.equal(svc.store.feedSeq(), 42);
  // another connection holding the write lock: nothing written, no wait
  const file = `/tmp/case-busy-${process.pid}.db`;
  const a = new BetterSqlite3(file);
  a.pragma('journal_mode = WAL');
  const svcA = new CaseService({ store: new SqliteCaseStore(a), audit: new SqliteAuditLog(a) });
  a.pragma('synchronous = FULL');
  const b = new BetterSqlite3(file);
  b.exec('BEGIN IMMEDIATE');
  const t0 = performance.now();
  assert.equal(svcA.openBatch([req], 7), null);
  assert.ok(performance.now() - t0 < 100, 'did not wait for the lock');
  b.exec('ROLLBACK');
  assert.equal(svcA.openBatch([req], 7)?.length, 1);
  assert.equal(a.pragma('synchronous', { simple: true }), 2, 'the connection\'s durability is restored');
  a.close();
  b.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) void import('node:fs').then((fs) => fs.rmSync(f, { force: true }));
  db.close();
});

test('a batch is coalesced per case: one lookup and one audit entry per case, `added` counts its items', () => {
  const { svc, audit, db } = service();
  const req = (account: string, ref: string, risk: number, amount: number) => ({
    subjectKind: 'account' as const, subjectId: account, issue: 'review', source: { kind: 'decision' as const, ref }, txId: ref, risk, amount, actor: 'engine',
  });
  const first = svc.openBatch([req('A1', 't1', 30, 100), req('A2', 't2', 10, 200), req('A1', 't3', 70, 300), req('A1', 't1', 90, 100), req('A2', 't4', 20, 400)], 5)!;
  assert.deepEqual(first.map((r) => [r.n, r.created, r.itemAdded]), [[1, true, true], [2, true, true], [1, false, true], [1, false, false], [2, false, true]]);
  assert.deepEqual([first[0].after.items, first[0].after.amount, first[0].after.risk], [2, 400, 90], 't1 again raises the risk, adds nothing');
  assert.deepEqual(svc.store.summary(1), first[0].after, 'the computed summary is what the file holds');
  assert.deepEqual(svc.store.summary(2), first[1].after);
  // a second batch joins the open cases: one case.item per case, before → after
  const second = svc.openBatch([req('A1', 't5', 10, 1_000), req('A1', 't6', 10, 2_000), req('A1', 't3', 10, 300)], 9)!;
  assert.deepEqual(second.map((r) => r.itemAdded), [true, true, false]);
  assert.deepEqual(svc.store.summary(1), second[0].after);
  assert.deepEqual([second[0].after.items, second[0].after.amount, second[0].after.priority], [4, 3_400, priorityOf(90, 3_400)]);
  const entries = audit.list().reverse();
  assert.deepEqual(
    entries.map((e) => [e.action, e.target, (e.after as any).added, (e.after as any).items]),
    [['case.open', 'cases/case-1', 2, 2], ['case.open', 'cases/case-2', 2, 2], ['case.item', 'cases/case-1', 2, 4]],
  );
  assert.deepEqual(entries[2].before, { risk: 90, amount: 400, items: 2 });
  assert.deepEqual(svc.get('case-1').itemList.map((i) => [i.ref, i.risk]), [['t1', 90], ['t3', 70], ['t5', 10], ['t6', 10]]);
  assert.equal(svc.store.feedSeq(), 9);
  db.close();
});

function checkOpenReq() {
  return { ...input(), source: { kind: 'decision' as const, ref: 'tx-9' }, issue: 'review', txId: 'tx-9' };
}
