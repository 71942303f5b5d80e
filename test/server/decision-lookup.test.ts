// The DecisionService on a lookup that answers later (a cluster node asking PostgreSQL for an id its
// memory does not hold): whatever arrives while the lookup is out waits behind it, so payments are
// still decided in arrival order, a retry still gets its stored answer, and a failed lookup decides
// nothing. The journal is a real SQLite store; only the lookup's timing differs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent } from '../../src/contract/parse.js';
import type { TransactionEvent } from '../../src/contract/events.js';
import { Engine } from '../../src/engine/engine.js';
import { loadPolicy } from '../../src/engine/policy-source.js';
import { inlineWriter, type StoredDecision } from '../../src/log/journal.js';
import { GroupCommit } from '../../src/server/group-commit.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import { SeenIds } from '../../src/server/seen-ids.js';
import { DecisionService, type DecisionLookup } from '../../src/server/service.js';
import { setEncryption } from '../../src/store/sqlite/crypt.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { HOUR, MIN, tx } from '../engine/world.js';

interface Place {
  readonly service: DecisionService;
  readonly seen: SeenIds;
  /** Lookups made, by id. */
  readonly asked: string[];
  /** Settles every lookup still out (in order), answering from the journal or failing. */
  answer(fail?: Error): void;
}

function place(t: { after: (fn: () => void) => void }): Place {
  const dir = mkdtempSync(join(tmpdir(), 'fk-lookup-'));
  setEncryption(dir, { enabled: false });
  const store = new SqliteStore(dir);
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const asked: string[] = [];
  const out: Array<{ id: string; resolve: (d: StoredDecision | undefined) => void; reject: (e: Error) => void }> = [];
  // the store's own answer, given later: what a networked adapter of the port does
  const lookup: DecisionLookup = {
    decision: (id) => {
      asked.push(id);
      return new Promise((resolve, reject) => out.push({ id, resolve, reject }));
    },
  };
  const seen = new SeenIds();
  const commit = new GroupCommit(inlineWriter(store), store.lastSeq());
  const service = new DecisionService(new Engine(loadPolicy()), lookup, commit, new ServerMetrics(), seen);
  return {
    service,
    seen,
    asked,
    answer(fail) {
      for (const o of out.splice(0)) {
        if (fail !== undefined) o.reject(fail);
        else o.resolve(store.decision(o.id));
      }
    },
  };
}

function payment(i: number, extra: Record<string, unknown> = {}): TransactionEvent {
  return parseEvent(tx(10 * HOUR + i * MIN, { id: `p-${i}`, ...extra })) as TransactionEvent;
}

interface Answered {
  readonly id: string;
  readonly seq: number | null;
  readonly replayed: boolean;
  readonly error: string | null;
}

function decide(s: DecisionService, p: TransactionEvent, into: Answered[]): Promise<void> {
  return new Promise((resolve) =>
    s.decide(p, performance.now(), (err, body, replayed) => {
      into.push({ id: p.id, seq: err === null ? (JSON.parse(body) as { seq: number }).seq : null, replayed, error: err?.api ?? null });
      resolve();
    }),
  );
}

test('a payment whose id the Bloom filter is unsure of is decided before the payments that arrived after it', async (t) => {
  const p = place(t);
  const answers: Answered[] = [];
  // p-1 looks known (a false positive): its lookup goes out; p-2 and p-3 arrive meanwhile
  p.seen.add('p-1');
  const all = [decide(p.service, payment(1), answers), decide(p.service, payment(2), answers), decide(p.service, payment(3), answers)];
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(answers.length, 0, 'nothing is decided while the lookup is out');
  assert.deepEqual(p.asked, ['p-1']);
  p.answer();
  await Promise.all(all);
  assert.deepEqual(
    answers.map((a) => [a.id, a.seq]),
    [
      ['p-1', 1],
      ['p-2', 2],
      ['p-3', 3],
    ],
  );
});

test('a retry waits for its lookup and gets the stored answer; the payment after it is decided once, after it', async (t) => {
  const p = place(t);
  const first: Answered[] = [];
  await decide(p.service, payment(1), first);
  // p-1 has left the service's memory of pending batches: a retry must ask the lookup
  const answers: Answered[] = [];
  const retry = decide(p.service, payment(1), answers);
  const next = decide(p.service, payment(2), answers);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(answers.length, 0);
  p.answer();
  await Promise.all([retry, next]);
  assert.deepEqual(answers, [
    { id: 'p-1', seq: 1, replayed: true, error: null },
    { id: 'p-2', seq: 2, replayed: false, error: null },
  ]);
  // the same id with another body, found by the lookup, is refused
  const conflict: Answered[] = [];
  const c = decide(p.service, payment(1, { amount: 99_900 }), conflict);
  p.answer();
  await c;
  assert.equal(conflict[0].error, 'idempotency_conflict');
});

test('a lookup that fails decides nothing for that payment (503, retry) and lets the next ones through in order', async (t) => {
  const p = place(t);
  p.seen.add('p-1');
  const answers: Answered[] = [];
  const all = [decide(p.service, payment(1), answers), decide(p.service, payment(2), answers)];
  p.answer(new Error('connection reset'));
  await Promise.all(all);
  assert.deepEqual(answers, [
    { id: 'p-1', seq: null, replayed: false, error: 'journal_unavailable' },
    { id: 'p-2', seq: 1, replayed: false, error: null },
  ]);
  // held again from inside the queue: p-3 unsure, p-4 new, p-5 unsure, p-6 new, all in one tick
  p.seen.add('p-3');
  p.seen.add('p-5');
  const more = [3, 4, 5, 6].map((i) => decide(p.service, payment(i), answers));
  await new Promise((r) => setTimeout(r, 10));
  p.answer(); // p-3's lookup: p-3 and p-4 are decided, then p-5's lookup goes out with p-6 behind it
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(answers.slice(2).map((a) => a.id), ['p-3', 'p-4']);
  assert.deepEqual(p.asked, ['p-1', 'p-3', 'p-5']);
  p.answer();
  await Promise.all(more);
  assert.deepEqual(
    answers.slice(2).map((a) => [a.id, a.seq]),
    [
      ['p-3', 2],
      ['p-4', 3],
      ['p-5', 4],
      ['p-6', 5],
    ],
  );
});
