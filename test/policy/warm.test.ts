// Warming a version's engine while live traffic goes on: it replays the durable journal in slices,
// catches up on what the live engine applied meanwhile, and hands over in the tick it has applied
// exactly the same events — so the live engine, given its windows, decides like an engine that ran
// the new version from the start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { FkEvent } from '../../src/contract/events.js';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { Warmup, WarmupCancelled, type LiveFeed } from '../../src/policy/warm.js';
import { compilePolicy } from '../../src/rules/compile.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { account, at, MIN, registry } from '../engine/world.js';
import { tempDir } from '../server/helpers.js';

const OLD = compilePolicy(
  [{ file: 'a.fk', text: 'feature spent_1h = sum(amount) by account over 1h\nrule BIG\n  when spent_1h > ¥5000\n  outcome review\n' }],
  BUILTINS,
  'old',
);
const NEW = compilePolicy(
  [
    {
      file: 'a.fk',
      text:
        'feature spent_1h = sum(amount) by account over 1h\nfeature m_2h = distinct(merchant) by account over 2h\n' +
        'rule BIG\n  when spent_1h > ¥5000\n  outcome review\nrule HOPPING\n  when m_2h >= 3\n  outcome decline\n',
    },
  ],
  BUILTINS,
  'new',
);

/** A live side: an engine, its journal, and observers, applying events as the server does. */
class FakeLive implements LiveFeed {
  appliedSeq = 0;
  journalFailure: Error | null = null;
  private observer: ((seq: number, e: FkEvent) => void) | null = null;
  constructor(
    readonly engine: Engine,
    private readonly store: SqliteStore,
  ) {}

  observe(fn: (seq: number, e: FkEvent) => void): () => void {
    this.observer = fn;
    return () => (this.observer = null);
  }

  /** Applies and journals one event; `durable` false leaves it pending (as group commit does). */
  apply(raw: Record<string, unknown>, pending: { seq: number; event: string }[]): void {
    const e = parseEvent(raw);
    this.engine.apply(e);
    const seq = ++this.appliedSeq;
    pending.push({ seq, event: JSON.stringify(e) });
    this.observer?.(seq, e);
  }

  commit(pending: { seq: number; event: string }[]): void {
    this.store.append(pending.map((p) => ({ seq: p.seq, type: 'transaction', txId: null, event: p.event, decision: null, receivedAt: 0 })));
    pending.length = 0;
  }
}

function traffic(count: number, offset: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = offset; i < offset + count; i++) {
    out.push({
      type: 'transaction', id: `w-${i}`, ts: at(i * MIN), accountId: `A${i % 7}`, amount: 1_000 + (i % 13) * 700,
      merchantId: `M${1 + (i % 4)}`, terminalId: `T${1 + (i % 4)}`,
    });
  }
  return out;
}

test('a warmed engine hands over windows equal to an engine that ran the new version from the start', async () => {
  const dir = tempDir('fk-warm-');
  const store = new SqliteStore(dir);
  try {
    const live = new FakeLive(new Engine(OLD), store);
    const reference = new Engine(NEW);
    const setup = [...registry(), ...Array.from({ length: 7 }, (_, i) => account(`A${i}`))];
    const pending: { seq: number; event: string }[] = [];
    // history: reference events then 3,000 payments, all durable but the last 40 (still committing)
    const history = [...setup, ...traffic(3_000, 0)];
    for (const raw of history) {
      live.apply(raw, pending);
      reference.apply(parseEvent(raw));
      if (pending.length >= 50 && live.appliedSeq < history.length - 40) live.commit(pending);
    }
    assert.ok(pending.length > 0, 'some entries are not durable when the warm-up starts');

    const warmup = new Warmup(store, live, new Engine(NEW), { sliceMs: 1 });
    let swapped = false;
    const done = warmup.run((warm) => {
      live.engine.replacePolicy(NEW, null, warm);
      swapped = true;
    });
    // live traffic keeps arriving between slices, and commits go on
    let k = 3_000;
    while (!swapped) {
      for (const raw of traffic(5, k)) {
        live.apply(raw, pending);
        reference.apply(parseEvent(raw));
      }
      k += 5;
      live.commit(pending);
      await new Promise((r) => setImmediate(r));
    }
    await done;
    assert.ok(k > 3_005, 'events arrived during the warm-up');
    // from here the live engine decides with NEW exactly like the reference
    for (const raw of traffic(300, k)) {
      const e = parseEvent(raw);
      const a = live.engine.apply(e)!;
      const b = reference.apply(e)!;
      assert.deepEqual({ ...a, policy: '' }, { ...b, policy: '' }, `decision ${a.txId}`);
      for (const w of NEW.windows) assert.equal(live.engine.lastVector.num[w.slot], reference.lastVector.num[w.slot], `${w.name} at ${a.txId}`);
    }
    assert.ok(NEW.rules.length === 2);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cancelled warm-up never hands over, and stops observing', async () => {
  const dir = tempDir('fk-warm-');
  const store = new SqliteStore(dir);
  try {
    const live = new FakeLive(new Engine(OLD), store);
    const pending: { seq: number; event: string }[] = [];
    for (const raw of [...registry(), account('A0'), ...traffic(2_000, 0)]) live.apply(raw, pending);
    live.commit(pending);
    const warmup = new Warmup(store, live, new Engine(NEW), { sliceMs: 0.2 });
    let called = false;
    const done = warmup.run(() => (called = true));
    warmup.cancel('a rollback came first');
    await assert.rejects(done, WarmupCancelled);
    assert.equal(called, false);
    assert.equal(live.engine.currentPolicy.name, 'old');
    // observing stopped: a new observer can attach
    live.observe(() => {});
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
