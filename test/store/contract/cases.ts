// The contract every CaseStore adapter passes: one unresolved case per subject and issue, items
// deduplicated by ref, totals and priority that follow, the queue's order and cursor, history and
// notes numbered per case, resolution with pending labels, the feed's checkpoint, transactions
// that commit with the audit log or not at all, and background work that never waits for a lock.
// Every port call is awaited, or chained inside a transaction (andThen, inOrder), so the same suite
// runs against an adapter that answers later.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditLog } from '../../../src/audit/log.js';
import { BUSY, type CaseStore } from '../../../src/cases/store.js';
import { PRIORITY_BANDS, priorityBand, priorityOf, type OpenCaseRequest } from '../../../src/cases/types.js';
import { andThen, anotherOf, contractIt, inOrder, type Open } from './harness.js';

/** The case store and the audit log that shares its transactions (both of one kind). */
export interface CasesUnderTest {
  readonly cases: CaseStore;
  readonly audit: AuditLog;
}

const T = 1_700_000_000_000;
const MAX = 5_000;

function req(extra: Partial<OpenCaseRequest> = {}): OpenCaseRequest {
  return {
    subjectKind: 'account', subjectId: 'A1', issue: 'review', source: { kind: 'decision', ref: 'tx-1' }, txId: 'tx-1',
    risk: 30, amount: 10_000, actor: 'engine', ...extra,
  };
}
const item = (ref: string, risk: number, amount: number, extra: Partial<OpenCaseRequest> = {}): OpenCaseRequest =>
  req({ source: { kind: 'decision', ref }, txId: ref, risk, amount, ...extra });

/** Registers the CaseStore suite for one adapter. */
export function casesContract(name: string, open: Open<CasesUnderTest>): void {
  describe(`CaseStore contract: ${name}`, () => {
    contractIt(open, 'a new store is fresh and empty; reopened, it is not fresh', async (h, { cases: s }) => {
      assert.equal(s.fresh, true);
      assert.equal(await s.summary(1), undefined);
      assert.equal(await s.get(1), undefined);
      assert.deepEqual(await s.list({}), { cases: [], next: null });
      assert.deepEqual([await s.feedSeq(), await s.pendingLabels()], [0, []]);
      const again = (await h.reopen()).cases;
      assert.equal(again.fresh, false);
    });

    contractIt(open, 'opens a case, joins it, refreshes an item by ref; totals and priority follow', async (_h, { cases: s }) => {
      const a = await s.transaction(() => s.openOrJoin(item('t1', 30, 10_000, { note: 'first', detail: { reasons: ['R1'] } }), T, MAX));
      assert.deepEqual([a.n, a.created, a.itemAdded, a.before], [1, true, true, null]);
      assert.deepEqual(a.after, {
        id: 'case-1', subjectKind: 'account', subjectId: 'A1', issue: 'review', status: 'open', risk: 30, amount: 10_000,
        priority: priorityOf(30, 10_000), assignee: null, openedAt: T, openedBy: 'engine', updatedAt: T, items: 1,
        resolution: null, typology: null, resolvedAt: null, resolvedBy: null, labels: null,
      });
      const b = await s.transaction(() => s.openOrJoin(item('t2', 70, 5_000), T + 1, MAX));
      assert.deepEqual([b.n, b.created, b.itemAdded, b.before], [1, false, true, a.after]);
      assert.deepEqual([b.after.items, b.after.amount, b.after.risk, b.after.priority, b.after.updatedAt], [2, 15_000, 70, priorityOf(70, 15_000), T + 1]);
      const c = await s.transaction(() => s.openOrJoin(item('t1', 90, 10_000, { detail: { reasons: ['R2'] } }), T + 2, MAX));
      assert.deepEqual([c.itemAdded, c.after.items, c.after.amount, c.after.risk], [false, 2, 15_000, 90], 'a ref already on the case joins once');
      const r = (await s.get(1))!;
      assert.deepEqual(r.itemList.map((i) => [i.n, i.ref, i.txId, i.risk, i.amount]), [[1, 't1', 't1', 90, 10_000], [2, 't2', 't2', 70, 5_000]]);
      assert.deepEqual([r.itemList[0].note, r.itemList[0].detail, r.itemList[0].kind, r.itemList[0].actor, r.itemList[0].at], ['first', { reasons: ['R2'] }, 'decision', 'engine', T]);
      assert.deepEqual(r.history.map((x) => [x.n, x.action, x.from, x.to, x.actor, x.at]), [[1, 'open', null, 'open', 'engine', T]]);
      assert.deepEqual(await s.summary(1), c.after);
    });

    contractIt(open, 'another issue or subject is another case; items without a ref always join', async (_h, { cases: s }) => {
      const noRef = { ...req(), source: { kind: 'analyst' as const } };
      await s.transaction(() =>
        inOrder(
          () => s.openOrJoin(req(), T, MAX),
          () => andThen(s.openOrJoin(req({ issue: 'appeal' }), T, MAX), (r) => assert.equal(r.n, 2)),
          () => andThen(s.openOrJoin(req({ subjectId: 'A2' }), T, MAX), (r) => assert.equal(r.n, 3)),
          () => andThen(s.openOrJoin(req({ subjectKind: 'merchant' }), T, MAX), (r) => assert.equal(r.n, 4)),
          () => s.openOrJoin(noRef, T, MAX),
          () => andThen(s.openOrJoin(noRef, T, MAX), (r) => assert.equal(r.itemAdded, true)),
        ),
      );
      assert.equal((await s.summary(1))?.items, 3);
    });

    contractIt(open, 'beyond maxItems items count in the totals but are not stored', async (_h, { cases: s }) => {
      const join = (i: number) => () => s.openOrJoin(item(`t${i}`, 10 * i, 100), T + i, 2);
      await s.transaction(() => inOrder(join(1), join(2), join(3), join(4)));
      const r = (await s.get(1))!;
      assert.deepEqual([r.items, r.amount, r.risk, r.itemList.length], [4, 400, 40, 2]);
      assert.equal((await s.get(1, 1))!.itemList.length, 1, 'get reads at most maxItems');
    });

    contractIt(open, 'a group opens or joins like its requests one by one, with one result', async (_h, { cases: s }) => {
      const g = await s.transaction(() => s.openGroup([item('t1', 30, 100), item('t2', 50, 200), item('t1', 60, 100)], T, MAX));
      assert.deepEqual([g.n, g.created, g.added, g.addedCount, g.before], [1, true, [true, true, false], 2, null]);
      assert.deepEqual([g.after.items, g.after.amount, g.after.risk, g.after.priority], [2, 300, 60, priorityOf(60, 300)]);
      assert.deepEqual(await s.summary(1), g.after, 'the result is what the store holds');
      assert.deepEqual((await s.get(1))!.history.map((x) => x.action), ['open']);
      const h = await s.transaction(() => s.openGroup([item('t2', 10, 200), item('t3', 20, 400)], T + 5, MAX));
      assert.deepEqual([h.n, h.created, h.added, h.addedCount, h.before], [1, false, [false, true], 1, g.after]);
      assert.deepEqual([h.after.items, h.after.amount, h.after.updatedAt], [3, 700, T + 5]);
      assert.deepEqual(await s.summary(1), h.after);
      const none = await s.transaction(() => s.openGroup([item('t3', 5, 400)], T + 9, MAX));
      assert.deepEqual([none.addedCount, none.after.updatedAt], [0, T + 5], 'nothing added, nothing touched');
      assert.deepEqual(await s.summary(1), none.after);
    });

    contractIt(open, 'assign, notes, status and history, numbered per case', async (_h, { cases: s }) => {
      await s.transaction(() =>
        inOrder(
          () => s.openOrJoin(req(), T, MAX),
          () => s.openOrJoin(req({ subjectId: 'A2' }), T, MAX),
        ),
      );
      const note = await s.transaction(() =>
        inOrder(
          () => s.assign(1, 'key_ana', T + 1),
          () => s.history(1, T + 1, 'key_ana', 'assign', null, 'key_ana'),
          () => s.setStatus(1, 'investigating', T + 2),
          () => s.history(1, T + 2, 'key_ana', 'status', 'open', 'investigating'),
          () => s.addNote(2, 'key_bob', 'other case', T + 2),
          () => s.addNote(1, 'key_ana', 'called the customer', T + 3),
        ),
      );
      assert.deepEqual(note, { n: 1, author: 'key_ana', at: T + 3, text: 'called the customer' });
      const r = (await s.get(1))!;
      assert.deepEqual([r.assignee, r.status, r.updatedAt], ['key_ana', 'investigating', T + 3], 'a note touches the case');
      assert.deepEqual(r.notes, [note]);
      assert.deepEqual(r.history.map((x) => [x.n, x.action, x.from, x.to]), [[1, 'open', null, 'open'], [2, 'assign', null, 'key_ana'], [3, 'status', 'open', 'investigating']]);
      assert.equal((await s.transaction(() => s.addNote(1, 'key_ana', 'second', T + 4))).n, 2);
      await s.transaction(() => s.assign(1, null, T + 5));
      assert.equal((await s.summary(1))?.assignee, null);
    });

    contractIt(open, 'resolving leaves labels pending until emitted; a new finding opens a new case', async (_h, { cases: s }) => {
      await s.transaction(() =>
        inOrder(
          () => s.openOrJoin(item('t1', 40, 100), T, MAX),
          () => s.openOrJoin(item('t2', 40, 100), T, MAX),
          () => s.openOrJoin({ ...req(), source: { kind: 'analyst' }, txId: 't1' }, T, MAX),
        ),
      );
      assert.deepEqual(await s.payments(1), ['t1', 't2'], 'each payment once, in the order it joined');
      assert.equal(await s.lastResolved('account', 'A1', 'review'), undefined);
      await s.transaction(() => s.resolve(1, 'fraud', 'account_takeover', 'key_ana', T + 10));
      const r = (await s.summary(1))!;
      assert.deepEqual([r.status, r.resolution, r.typology, r.resolvedBy, r.resolvedAt, r.labels], ['resolved', 'fraud', 'account_takeover', 'key_ana', T + 10, null]);
      assert.deepEqual(await s.pendingLabels(), [1]);
      assert.deepEqual(await s.lastResolved('account', 'A1', 'review'), { resolution: 'fraud', resolvedAt: T + 10 });
      assert.deepEqual(await s.activeFor('account', 'A1'), []);
      const again = await s.transaction(() => s.openOrJoin(item('t1', 40, 100), T + 20, MAX));
      assert.deepEqual([again.n, again.created], [2, true], 'a resolved case is never joined');
      await s.labelsEmitted(1, 3);
      assert.deepEqual([(await s.summary(1))?.labels, await s.pendingLabels()], [3, []]);
    });

    contractIt(open, 'the queue: priority, then age, then number; filters narrow; the cursor pages', async (_h, { cases: s }) => {
      await s.transaction(() =>
        inOrder(
          () => s.openOrJoin(req({ subjectId: 'low', risk: 10, amount: 100 }), T, MAX),
          () => s.openOrJoin(req({ subjectId: 'high', risk: 90, amount: 100_000 }), T + 5, MAX),
          () => s.openOrJoin(req({ subjectId: 'tieOld', risk: 50, amount: 1_000 }), T + 1, MAX),
          () => s.openOrJoin(req({ subjectId: 'tieNew', risk: 50, amount: 1_000 }), T + 2, MAX),
          () => s.openOrJoin(req({ subjectId: 'tieSame', risk: 50, amount: 1_000 }), T + 2, MAX),
          () => s.openOrJoin(req({ subjectKind: 'merchant', subjectId: 'M1', issue: 'detector:ring', risk: 20, amount: 100 }), T, MAX),
          () => s.openOrJoin(req({ subjectKind: 'merchant', subjectId: 'M1', issue: 'detectorx', risk: 20, amount: 90 }), T, MAX),
          () => s.assign(3, 'key_ana', T),
          () => s.resolve(1, 'legitimate', null, 'key_ana', T + 9),
        ),
      );
      const ids = async (q: Parameters<CaseStore['list']>[0]): Promise<string[]> => (await s.list(q)).cases.map((c) => c.subjectId + (c.issue === 'review' ? '' : `/${c.issue}`));
      assert.deepEqual(await ids({}), ['high', 'tieOld', 'tieNew', 'tieSame', 'M1/detector:ring', 'M1/detectorx'], 'active by default');
      assert.deepEqual(await ids({ status: 'resolved' }), ['low']);
      assert.equal((await s.list({ status: 'all' })).cases.length, 7);
      assert.deepEqual(await ids({ assignee: 'key_ana' }), ['tieOld']);
      assert.deepEqual((await ids({ assignee: null })).includes('tieOld'), false);
      assert.deepEqual(await ids({ subjectKind: 'merchant', issue: 'detector:' }), ['M1/detector:ring'], 'a prefix ends in a colon');
      assert.deepEqual(await ids({ issue: 'detector:ring' }), ['M1/detector:ring']);
      assert.deepEqual(await ids({ subjectId: 'high' }), ['high']);
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await s.list({ limit: 2, ...(after === undefined ? {} : { after }) });
        seen.push(...page.cases.map((c) => c.subjectId));
        if (page.next === null) break;
        after = page.next;
      }
      assert.deepEqual(seen, ['high', 'tieOld', 'tieNew', 'tieSame', 'M1', 'M1'], 'pages join up, nothing twice, nothing lost');
      assert.deepEqual((await s.activeFor('merchant', 'M1')).map((c) => c.issue), ['detector:ring', 'detectorx']);
    });

    contractIt(open, 'the feed checkpoint only moves forward', async (_h, { cases: s }) => {
      await s.transaction(() => s.setFeedSeq(42));
      await s.transaction(() => s.setFeedSeq(7));
      assert.equal(await s.feedSeq(), 42);
    });

    contractIt(open, 'unresolved cases per priority band: every band, bounds inclusive, resolved cases left out', async (_h, { cases: s }) => {
      assert.deepEqual(await s.openByBand(), { critical: 0, high: 0, medium: 0, low: 0 }, 'every band, zeros included');
      // priority = risk × fen / 100: at risk 100 the amount is the priority
      const at = (id: string, amount: number, risk = 100): OpenCaseRequest => req({ subjectId: id, risk, amount, source: { kind: 'analyst' } });
      await s.transaction(() =>
        inOrder(
          () => s.openOrJoin(at('c1', 1_000_000), T, MAX), // exactly ¥10,000: critical
          () => s.openOrJoin(at('c2', 5_000_000, 50), T, MAX), // ¥25,000: critical
          () => s.openOrJoin(at('h1', 999_999), T, MAX), // just below: high
          () => s.openOrJoin(at('h2', 100_000), T, MAX),
          () => s.openOrJoin(at('m1', 10_000), T, MAX),
          () => s.openOrJoin(at('l1', 9_999), T, MAX),
          () => s.openOrJoin(at('l2', 0, 50), T, MAX), // nothing at stake
          () => s.openOrJoin(at('gone', 2_000_000), T, MAX),
          () => s.openOrJoin(at('working', 50_000), T, MAX),
        ),
      );
      await s.transaction(() =>
        inOrder(
          () => s.resolve(8, 'fraud', null, 'key_ana', T + 1),
          () => s.setStatus(9, 'investigating', T + 1),
        ),
      );
      assert.deepEqual(await s.openByBand(), { critical: 2, high: 2, medium: 2, low: 2 }, 'investigating counts as unresolved, resolved does not');
      assert.deepEqual(PRIORITY_BANDS.map((b) => b.band), ['critical', 'high', 'medium', 'low']);
      assert.deepEqual([1_000_000, 999_999.99, 100_000, 10_000, 9_999.99, 0].map(priorityBand), ['critical', 'high', 'high', 'medium', 'low', 'low']);
      // a join that raises the priority moves the case to its new band
      await s.transaction(() => s.openOrJoin(at('l1', 1_000_000), T + 2, MAX));
      assert.deepEqual(await s.openByBand(), { critical: 3, high: 2, medium: 2, low: 1 });
    });

    contractIt(open, 'a transaction commits the case and its audit record together, or neither when it throws', async (_h, { cases: s, audit }) => {
      // the steps inside are chained, not awaited: an SQLite transaction cannot span an await
      await assert.rejects(async () =>
        s.transaction(() =>
          andThen(s.openOrJoin(req(), T, MAX), (r) =>
            andThen(audit.append({ actor: 'engine', action: 'case.open', target: `cases/case-${r.n}` }), () => {
              throw new Error('label sink down');
            }),
          ),
        ),
      /label sink down/);
      assert.deepEqual([await s.summary(1), (await audit.list()).length], [undefined, 0]);
      await s.transaction(() =>
        andThen(s.openOrJoin(req(), T, MAX), (r) => andThen(audit.append({ actor: 'engine', action: 'case.open', target: `cases/case-${r.n}` }), () => undefined)),
      );
      assert.deepEqual([(await s.summary(1))?.items, (await audit.list()).map((e) => e.target)], [1, ['cases/case-1']]);
    });

    contractIt(open, 'background work commits without waiting, is BUSY while another writer holds the lock, and rolls back on a throw', async (h, { cases: s, audit }) => {
      const r = await s.background(() =>
        inOrder(
          () => s.setFeedSeq(5),
          () => andThen(s.openOrJoin(req(), T, MAX), (o) => o.n),
        ),
      );
      assert.deepEqual([r, await s.feedSeq()], [1, 5]);
      const other = (await anotherOf(h)).cases;
      const t0 = performance.now();
      const busy = await other.transaction(() =>
        inOrder(
          () => other.openOrJoin(req({ subjectId: 'B' }), T, MAX),
          () =>
            s.background(() =>
              inOrder(
                () => s.setFeedSeq(9),
                () => 'ran',
              ),
            ),
        ),
      );
      assert.equal(busy, BUSY);
      assert.ok(performance.now() - t0 < 1_000, 'did not wait for the lock');
      assert.equal(await s.feedSeq(), 5, 'nothing written');
      await assert.rejects(async () =>
        s.background(() =>
          inOrder(
            () => s.setFeedSeq(11),
            () => audit.append({ actor: 'engine', action: 'case.item', target: 'cases/case-1' }),
            () => {
              throw new Error('bad batch');
            },
          ),
        ),
      /bad batch/);
      assert.deepEqual([await s.feedSeq(), (await audit.list()).length], [5, 0]);
      assert.equal(await s.background(() => s.setFeedSeq(12)), undefined);
      assert.equal(await other.feedSeq(), 12, 'another handle sees it');
    });

    contractIt(open, 'cases, items, notes, history and the checkpoint survive a reopen', async (h, { cases: s }) => {
      await s.transaction(() =>
        inOrder(
          () => s.openOrJoin(item('t1', 40, 100), T, MAX),
          () => s.addNote(1, 'key_ana', 'n', T + 1),
          () => s.resolve(1, 'legitimate', null, 'key_ana', T + 2),
          () => s.setFeedSeq(77),
        ),
      );
      const before = await s.get(1);
      const again = (await h.reopen()).cases;
      assert.deepEqual(await again.get(1), before);
      assert.deepEqual([await again.feedSeq(), await again.pendingLabels()], [77, [1]]);
      assert.equal((await again.transaction(() => again.openOrJoin(item('t9', 1, 1), T, MAX))).n, 2, 'numbering goes on');
    });
  });
}
