// A cluster's partitions as engines (docs/scale-out.md, "What is shared across partitions"): each
// account's payments and account events go to one of P engines, which decides them with its own
// memory and writes down their shared effects; every other engine folds those in, and applies
// reference data and labels in full. Fed in one order, every partition decides its accounts exactly
// as one engine fed the whole stream — decisions and every feature value — for the default policy
// and for shared windows whose filters and values read the account's memory.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FkEvent } from '../../src/contract/events.js';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { partitionOf } from '../../src/engine/partition-of.js';
import { parseSharedEffects, sharedEffectsText } from '../../src/engine/shared-effects.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { compilePolicy } from '../../src/rules/compile.js';
import type { CompiledPolicy } from '../../src/rules/policy-types.js';
import { simulate } from '../../src/sim/simulate.js';
import { SnapshotReader, SnapshotWriter } from '../../src/codec/codec.js';
import { defaultPolicy } from './world.js';

let events: FkEvent[] = [];
before(async () => {
  const root = mkdtempSync(join(tmpdir(), 'fk-partitioned-'));
  try {
    // every event type, labels on payments and entities, devices and IPs shared by several accounts
    await simulate({ outDir: root, seed: 23, accounts: 300, days: 30 });
    events = readFileSync(join(root, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => parseEvent(JSON.parse(l)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** The account an event belongs to, when its partition is the account's. */
function accountOf(e: FkEvent): string | null {
  return e.type === 'transaction' || e.type === 'account' || e.type === 'account_event' ? e.accountId : null;
}

/**
 * Runs the stream through one engine and through P partition engines side by side; asserts every
 * payment's decision and feature vector are equal. Returns how many payments were compared.
 */
function compare(policy: CompiledPolicy, P: number, onShared?: (text: string) => void): number {
  const whole = new Engine(policy);
  const parts = Array.from({ length: P }, () => new Engine(policy));
  let payments = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const expected = whole.apply(e);
    const account = accountOf(e);
    // reference data and labels: journaled by some partition (here by position), applied by all
    const owner = account === null ? i % P : partitionOf(account, P);
    const got = parts[owner].apply(e);
    const text = e.type === 'transaction' ? sharedEffectsText(parts[owner].sharedEffects()) : null;
    if (text !== null) onShared?.(text);
    for (let p = 0; p < P; p++) if (p !== owner) parts[p].applyDecidedElsewhere(e, text === null ? null : parseSharedEffects(text));
    if (e.type !== 'transaction') continue;
    payments++;
    assert.deepEqual(got, expected, `payment ${e.id} (#${i}) on partition ${owner}`);
    assert.deepEqual(Array.from(parts[owner].lastVector.num), Array.from(whole.lastVector.num), `features of ${e.id}`);
  }
  return payments;
}

test('partitionOf spreads accounts and is stable', () => {
  assert.equal(partitionOf('acc-7781', 1), 0);
  assert.equal(partitionOf('acc-7781', 8), partitionOf('acc-7781', 8));
  const counts = new Array<number>(8).fill(0);
  for (let i = 0; i < 8000; i++) counts[partitionOf(`acc-${i}`, 8)]++;
  for (const c of counts) assert.ok(c > 800 && c < 1200, `partition sizes ${counts.join(',')}`);
  assert.throws(() => partitionOf('a', 0), /partitions/);
});

test('three partitions decide the default policy exactly as one engine', () => {
  let bytes = 0, records = 0;
  const n = compare(defaultPolicy(), 3, (t) => {
    bytes += t.length;
    records++;
  });
  assert.ok(n > 5000, `${n} payments compared`);
  // what a journal entry carries beside the payment, per payment on average
  assert.ok(bytes / records < 400, `shared effects ${Math.round(bytes / records)} bytes per payment`);
});

test('shared windows whose filter and value read the account memory stay exact', () => {
  const policy = compilePolicy(
    [
      {
        file: 'a.fk',
        text:
          'feature new_acct_device_1h = count by device over 1h where account_age_days < 200\n' +
          'feature merchant_limit_share_24h = sum(amount_to_limit) by merchant over 24h where account_tx_count > 3\n' +
          'feature terminal_peak_util_6h = max(utilisation) by terminal over 6h\n' +
          'feature ip_grades_1d = distinct(credit_grade) by ip over 1d\n' +
          'feature merchant_terminal_2h = count by merchant, terminal over 2h where since_last_tx < 3600\n' +
          'feature acct_merchant_1h = count by account, merchant over 1h\n' +
          'rule A\n  when new_acct_device_1h >= 2 or ip_grades_1d >= 3\n  outcome review\n' +
          'rule B\n  when merchant_limit_share_24h > 2 and terminal_peak_util_6h > 0.5\n  outcome challenge\n' +
          'rule C\n  when merchant_terminal_2h > 3 or acct_merchant_1h > 2\n  outcome review\n',
      },
    ],
    BUILTINS,
    'account-aware',
  );
  let nonEmpty = 0;
  const n = compare(policy, 4, (t) => {
    if (parseSharedEffects(t).w.length > 0) nonEmpty++;
  });
  assert.ok(n > 5000);
  assert.ok(nonEmpty > n / 2, `${nonEmpty} of ${n} payments entered a shared window`);
});

test('a partition restored from a snapshot goes on exactly', () => {
  const policy = defaultPolicy();
  const P = 2;
  const whole = new Engine(policy);
  let parts = [new Engine(policy), new Engine(policy)];
  const half = Math.floor(events.length / 2);
  for (let i = 0; i < events.length; i++) {
    if (i === half) {
      parts = parts.map((x) => {
        const w = new SnapshotWriter();
        x.writeSnapshot(w);
        const body = w.finish();
        const y = new Engine(policy);
        y.readSnapshot(new SnapshotReader(Buffer.concat(body.parts)));
        return y;
      });
    }
    const e = events[i];
    const expected = whole.apply(e);
    const account = accountOf(e);
    const owner = account === null ? 0 : partitionOf(account, P);
    const got = parts[owner].apply(e);
    const shared = e.type === 'transaction' ? parts[owner].sharedEffects() : null;
    parts[1 - owner].applyDecidedElsewhere(e, shared);
    if (e.type === 'transaction') assert.deepEqual(got, expected, `payment ${e.id}`);
  }
});

test('a payment decided elsewhere without its shared effects is refused', () => {
  const tx = events.find((e) => e.type === 'transaction');
  assert.ok(tx);
  assert.throws(() => new Engine(defaultPolicy()).applyDecidedElsewhere(tx, null), /without its shared effects/);
  assert.throws(() => parseSharedEffects('{"w":[1],"p":[]}'), /w must be a list/);
  assert.throws(() => parseSharedEffects('nope'), /not JSON/);
});
