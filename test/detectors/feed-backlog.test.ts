// The journal feed's case intake in a flood, on its own: a burst of flagged entries is written in
// bounded chunks (the backlog stays pending, in /metrics as fengkong_case_intake_backlog), the
// checkpoint never passes a request not yet written, and in the end every request is an item.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { CaseService } from '../../src/cases/service.js';
import type { OpenCaseRequest } from '../../src/cases/types.js';
import type { FkEvent } from '../../src/contract/events.js';
import { JournalFeed } from '../../src/detectors/feed.js';
import type { FeedConsumer, FeedEntry } from '../../src/detectors/types.js';
import type { Journal } from '../../src/log/journal.js';
import { SqliteAuditLog } from '../../src/store/sqlite/audit.js';
import { SqliteCaseStore } from '../../src/store/sqlite/cases.js';

const ENTRIES = 3_000;
const ACCOUNTS = 50;

/** Every entry is a flagged payment of account A(seq mod 50). */
const flagging: FeedConsumer = {
  name: 'flag-everything',
  consume(entry: FeedEntry, open: OpenCaseRequest[]): void {
    if (!entry.act) return;
    open.push({
      subjectKind: 'account', subjectId: `A${entry.seq % ACCOUNTS}`, issue: 'review', source: { kind: 'decision', ref: `tx-${entry.seq}` },
      txId: `tx-${entry.seq}`, risk: entry.seq % 100, amount: entry.seq, actor: 'engine',
    });
  },
};

test('a burst of flagged entries: bounded writes, a visible backlog, a checkpoint behind it, nothing lost', async () => {
  const db = new BetterSqlite3(':memory:');
  const store = new SqliteCaseStore(db);
  const audit = new SqliteAuditLog(db);
  const cases = new CaseService({ store, audit });
  const applied = { seq: 0 };
  const journal = { forEachEventInRange: () => {}, decision: () => undefined } as unknown as Journal;
  const feed = new JournalFeed({ journal, cases, consumers: [flagging], appliedSeq: () => applied.seq });
  feed.start();
  for (let seq = 1; seq <= ENTRIES; seq++) {
    applied.seq = seq;
    feed.push(seq, { type: 'transaction' } as unknown as FkEvent, null);
  }
  let sawBacklog = false;
  for (let i = 0; i < 500; i++) {
    await sleep(2);
    const st = feed.status();
    if (st.pendingCases > 0 && st.processedSeq === ENTRIES) {
      sawBacklog = true;
      // the checkpoint stops before the oldest request still pending
      assert.ok(store.feedSeq() < ENTRIES, `checkpoint ${store.feedSeq()} with ${st.pendingCases} pending`);
      assert.ok(store.feedSeq() <= ENTRIES - st.pendingCases);
    }
    if (st.pendingCases === 0 && st.processedSeq === ENTRIES && st.lagEntries === 0) break;
  }
  assert.ok(sawBacklog, 'the burst was written in more than one turn');
  const st = feed.status();
  assert.deepEqual([st.pendingCases, st.processedSeq, st.pendingMs], [0, ENTRIES, 0]);
  feed.close();
  assert.equal(store.feedSeq(), ENTRIES);
  const { n, amount } = db.prepare('SELECT count(*) AS n, sum(amount) AS amount FROM case_items').get() as { n: number; amount: number };
  assert.deepEqual([n, amount], [ENTRIES, (ENTRIES * (ENTRIES + 1)) / 2]);
  const rows = db.prepare('SELECT subject_id, item_count, amount, risk FROM cases').all() as { subject_id: string; item_count: number; amount: number; risk: number }[];
  assert.equal(rows.length, ACCOUNTS);
  for (const r of rows) {
    const k = Number(r.subject_id.slice(1));
    const seqs = Array.from({ length: ENTRIES }, (_, i) => i + 1).filter((s) => s % ACCOUNTS === k);
    assert.deepEqual([r.item_count, r.amount, r.risk], [seqs.length, seqs.reduce((a, b) => a + b, 0), Math.max(...seqs.map((s) => s % 100))]);
  }
  const a = db.prepare("SELECT count(*) AS n, sum(json_extract(after, '$.added')) AS added FROM audit_log").get() as { n: number; added: number };
  assert.equal(a.added, ENTRIES, 'the audit entries account for every item');
  assert.ok(a.n <= ENTRIES, `${a.n} audit entries for ${ENTRIES} items`);
  db.close();
});
