// The journal feed's backlog is bounded: a burst of flagged payments over many accounts, larger than
// the backlog limit, makes the feed drop its live queue and re-read the journal (the catch-up path of
// the start) in slices that only read while the backlog has room, then go live again. In the end
// every payment is an item of its account's case exactly once, every entry reached the consumers
// exactly once (their memory is not counted twice), the checkpoint is at the end, and a restart adds
// nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { CaseService } from '../../src/cases/service.js';
import type { OpenCaseRequest } from '../../src/cases/types.js';
import type { FkEvent } from '../../src/contract/events.js';
import { parseEvent } from '../../src/contract/parse.js';
import { JournalFeed } from '../../src/detectors/feed.js';
import type { FeedConsumer, FeedEntry } from '../../src/detectors/types.js';
import type { Journal, JournalEntry, JournalRange } from '../../src/log/journal.js';
import { SqliteAuditLog } from '../../src/store/sqlite/audit.js';
import { SqliteCaseStore } from '../../src/store/sqlite/cases.js';
import { HOUR, tx } from '../engine/world.js';

const ENTRIES = 6_000;
const ACCOUNTS = 1_000;
const LIMIT = 400;
const BURST = 300;

/** Every acted entry is a flagged payment of account A(seq mod ACCOUNTS); counts what it saw per seq. */
function flagging(): FeedConsumer & { seen: Map<number, number> } {
  const seen = new Map<number, number>();
  return {
    name: 'flag-everything',
    seen,
    consume(entry: FeedEntry, open: OpenCaseRequest[]): void {
      seen.set(entry.seq, (seen.get(entry.seq) ?? 0) + 1);
      if (!entry.act) return;
      open.push({
        subjectKind: 'account', subjectId: `A${entry.seq % ACCOUNTS}`, issue: 'review', source: { kind: 'decision', ref: `tx-${entry.seq}` },
        txId: `tx-${entry.seq}`, risk: entry.seq % 100, amount: entry.seq, actor: 'engine',
      });
    },
  };
}

/** A journal in memory: the entries told so far. */
function memoryJournal(entries: JournalEntry[]): Journal {
  return {
    forEachEventInRange(range: JournalRange, cb: (e: JournalEntry) => boolean | void): void {
      const from = range.fromSeq ?? 1;
      const to = Math.min(range.toSeq ?? Infinity, entries.length);
      for (let s = from; s <= to; s++) if (cb(entries[s - 1]) === false) return;
    },
    decision: () => undefined,
  } as unknown as Journal;
}

test('a flood larger than the backlog limit: the feed re-reads the journal, memory stays bounded, every payment an item exactly once', async (t) => {
  const db = new BetterSqlite3(':memory:');
  const store = new SqliteCaseStore(db);
  const audit = new SqliteAuditLog(db);
  const cases = new CaseService({ store, audit });
  const entries: JournalEntry[] = [];
  const journal = memoryJournal(entries);
  const applied = { seq: 0 };
  const consumer = flagging();
  const feed = new JournalFeed({ journal, cases, consumers: [consumer], appliedSeq: () => applied.seq, backlogLimit: LIMIT });
  feed.start();

  let sawRereading = false;
  let sawLiveAfter = false;
  let maxPending = 0;
  let maxQueued = 0;
  const observe = (): ReturnType<JournalFeed['status']> => {
    const st = feed.status();
    assert.equal(st.backlogLimit, LIMIT);
    maxPending = Math.max(maxPending, st.pendingCases);
    maxQueued = Math.max(maxQueued, st.queuedEntries);
    if (st.rereading) {
      sawRereading = true;
      assert.equal(st.queuedEntries, 0, 'nothing is queued while re-reading');
      assert.ok(st.catchingUp);
      // the checkpoint stays behind what is not written yet
      assert.ok(store.feedSeq() <= st.processedSeq);
    } else if (sawRereading) sawLiveAfter = true;
    return st;
  };
  for (let seq = 1; seq <= ENTRIES; seq++) {
    const event = parseEvent(tx(HOUR + seq * 1_000, { id: `tx-${seq}`, accountId: `A${seq % ACCOUNTS}` })) as FkEvent;
    entries.push({ seq, type: 'transaction', txId: `tx-${seq}`, event: JSON.stringify(event), decision: null } as unknown as JournalEntry);
    applied.seq = seq;
    feed.push(seq, event, null);
    if (seq % BURST === 0) {
      observe();
      await sleep(1);
      observe();
    }
  }
  for (let i = 0; i < 3_000; i++) {
    await sleep(2);
    const st = observe();
    if (st.pendingCases === 0 && st.processedSeq === ENTRIES && !st.catchingUp) break;
  }
  const st = feed.status();
  assert.ok(sawRereading && st.rereads > 0, 'the burst passed the limit and the feed re-read the journal');
  assert.ok(sawLiveAfter || !st.rereading, 'the feed went live again');
  assert.deepEqual([st.pendingCases, st.processedSeq, st.rereading, st.catchingUp, st.queuedEntries], [0, ENTRIES, false, false, 0]);
  t.diagnostic(`re-read ${st.rereads} time(s); at most ${maxPending} requests pending and ${maxQueued} entries queued (limit ${LIMIT})`);
  assert.ok(maxPending <= LIMIT + 1, `pending requests at most the limit (saw ${maxPending})`);
  assert.ok(maxQueued <= LIMIT, `queued entries at most the limit (saw ${maxQueued})`);

  // every entry reached the consumer exactly once: a re-read does not count the consumers' memory twice
  assert.equal(consumer.seen.size, ENTRIES);
  assert.ok([...consumer.seen.values()].every((n) => n === 1), 'no entry consumed twice');

  // and it goes live again: a late payment is consumed from the queue
  const late = ENTRIES + 1;
  const lateEvent = parseEvent(tx(HOUR + late * 1_000, { id: `tx-${late}`, accountId: `A${late % ACCOUNTS}` })) as FkEvent;
  entries.push({ seq: late, type: 'transaction', txId: `tx-${late}`, event: JSON.stringify(lateEvent), decision: null } as unknown as JournalEntry);
  applied.seq = late;
  feed.push(late, lateEvent, null);
  assert.equal(feed.status().queuedEntries, 1, 'live: queued, not re-read');
  for (let i = 0; i < 500 && feed.status().processedSeq < late; i++) await sleep(2);
  feed.close();
  const total = late;
  assert.equal(store.feedSeq(), total);

  const { n, amount } = db.prepare('SELECT count(*) AS n, sum(amount) AS amount FROM case_items').get() as { n: number; amount: number };
  assert.deepEqual([n, amount], [total, (total * (total + 1)) / 2]);
  const dup = db.prepare('SELECT count(*) AS n FROM (SELECT ref FROM case_items GROUP BY case_id, ref HAVING count(*) > 1)').get() as { n: number } | undefined;
  if (dup !== undefined) assert.equal(dup.n, 0, 'no payment twice');
  const rows = db.prepare('SELECT subject_id, item_count, amount, risk FROM cases').all() as { subject_id: string; item_count: number; amount: number; risk: number }[];
  assert.equal(rows.length, ACCOUNTS, 'one case per account');
  for (const r of rows) {
    const k = Number(r.subject_id.slice(1));
    const seqs = Array.from({ length: total }, (_, i) => i + 1).filter((s) => s % ACCOUNTS === k);
    assert.deepEqual([r.item_count, r.amount, r.risk], [seqs.length, seqs.reduce((a, b) => a + b, 0), Math.max(...seqs.map((s) => s % 100))], r.subject_id);
  }
  const a = db.prepare("SELECT sum(json_extract(after, '$.added')) AS added FROM audit_log").get() as { added: number };
  assert.equal(a.added, total, 'the audit entries account for every item');

  // a restart re-reads from the checkpoint: nothing is added twice
  const again = new JournalFeed({ journal, cases, consumers: [flagging()], appliedSeq: () => applied.seq, backlogLimit: LIMIT });
  again.start();
  for (let i = 0; i < 1_000 && again.status().catchingUp; i++) await sleep(2);
  again.close();
  const after = db.prepare('SELECT count(*) AS n FROM case_items').get() as { n: number };
  assert.equal(after.n, total);
  db.close();
});
