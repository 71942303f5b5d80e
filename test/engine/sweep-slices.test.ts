// Housekeeping goes a slice per event. Window sweeps: a group with thousands of expired keys is
// emptied over the next events instead of inside one, the keys it drops read nothing either way, and
// a snapshot taken while a sweep is under way restores an engine that finishes it exactly like one
// that never stopped. Payments past the label lookback leave the payment index a few per event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { SnapshotReader, SnapshotWriter } from '../../src/codec/codec.js';
import { Engine } from '../../src/engine/engine.js';
import { numericSlotNames } from '../../src/model/feature-names.js';
import { LABEL_LOOKBACK_MS, type LabelKnowledge } from '../../src/features/labels.js';
import { account, DAY, defaultPolicy, registry, tx } from './world.js';

const KEYS = 4_000;

function snapshotOf(e: Engine): Buffer {
  const w = new SnapshotWriter();
  e.writeSnapshot(w);
  return Buffer.concat(w.finish().parts);
}

function restored(buf: Buffer): Engine {
  const e = new Engine(defaultPolicy());
  e.readSnapshot(new SnapshotReader(buf));
  return e;
}

/** An engine that saw one payment from each of KEYS accounts on day 0 (unregistered accounts: windows only). */
function crowded(): Engine {
  const e = new Engine(defaultPolicy());
  for (const r of registry()) e.apply(parseEvent(r));
  for (let i = 0; i < KEYS; i++) e.apply(parseEvent(tx(i * 10, { accountId: `old-${i}`, deviceId: `d-old-${i}` })));
  return e;
}

/** Payment `i` long after day 0 (past every window), by an account of its own. */
function later(i: number): ReturnType<typeof parseEvent> {
  return parseEvent(tx(200 * DAY + i * 1_000, { accountId: `new-${i}`, deviceId: `d-new-${i}` }));
}

test('a sweep of thousands of expired keys goes over the following events, not inside one', () => {
  const e = crowded();
  assert.ok(e.windowSizes().account >= KEYS, `account keys before: ${e.windowSizes().account}`);
  e.apply(later(0));
  const afterOne = e.windowSizes().account;
  // one event carries one slice: most of the expired keys are still held
  assert.ok(afterOne > KEYS / 2, `after the first event past the windows ${afterOne} account keys are held`);
  for (let i = 1; i <= 40; i++) e.apply(later(i));
  // every expired key went; only the 41 new accounts are left
  assert.equal(e.windowSizes().account, 41);
});

test('a key the sweep under way has not reached yet reads as unseen, exactly like one it dropped', () => {
  const slots = numericSlotNames(defaultPolicy());
  const windowsOf = (e: Engine): Record<string, number> =>
    Object.fromEntries(['tx_1h', 'spend_24h', 'account_tx_7d', 'account_mean_30d', 'account_mean_90d'].map((n) => [n, e.lastVector.num[slots.indexOf(n)]]));
  const e = crowded();
  e.apply(later(0));
  // old-0 sits in the first slice (dropped by now), the last old account near the end (still held)
  e.apply(parseEvent(tx(200 * DAY + 5_000, { accountId: 'old-0', deviceId: 'd-old-0', amount: 7_700 })));
  const dropped = windowsOf(e);
  const held = e.windowSizes().account;
  e.apply(parseEvent(tx(200 * DAY + 6_000, { accountId: `old-${KEYS - 1}`, deviceId: `d-old-${KEYS - 1}`, amount: 7_700 })));
  assert.ok(e.windowSizes().account >= held, 'the sweep had not reached the last old account yet');
  const reached = windowsOf(e);
  const fresh = { tx_1h: 1, spend_24h: 7_700, account_tx_7d: 1, account_mean_30d: 7_700, account_mean_90d: 7_700 };
  assert.deepEqual(dropped, fresh);
  assert.deepEqual(reached, fresh);
});

test('a snapshot taken while a sweep is under way restores an engine that finishes it like one that never stopped', () => {
  const a = crowded();
  a.apply(later(0));
  const b = restored(snapshotOf(a));
  assert.deepEqual(b.windowSizes(), a.windowSizes());
  assert.ok(a.windowSizes().account > KEYS / 2, 'the snapshot was taken mid-sweep');
  for (let i = 1; i <= 40; i++) {
    const p = later(i);
    assert.deepEqual(b.apply(p), a.apply(p), `payment ${i}`);
  }
  assert.equal(b.windowSizes().account, 41);
  assert.ok(snapshotOf(b).equals(snapshotOf(a)), 'the whole state after the sweep');
});

test('payments past the label lookback leave the payment index a few per event, not a day of them at once', () => {
  const e = crowded(); // KEYS payments within the first minute of day 0
  const payments = (e as unknown as { knowledge: LabelKnowledge }).knowledge.payments;
  assert.equal(payments.size, KEYS);
  // then one payment every 10 minutes for 32 days: the stream's watermark moves on with them
  let before = payments.size;
  let largestDrop = 0;
  for (let i = 1; i <= 32 * 144; i++) {
    e.apply(parseEvent(tx(i * 600_000, { accountId: `steady-${i}`, deviceId: `d-steady-${i}` })));
    largestDrop = Math.max(largestDrop, before + 1 - payments.size);
    before = payments.size;
  }
  // every payment of day 0 went, and every one older than the lookback (30 days), but never more than a few at one event
  assert.equal(payments.size, LABEL_LOOKBACK_MS / 600_000);
  assert.ok(largestDrop <= 16, `at most 16 payments forgotten at one event (${largestDrop})`);
});

test('an engine whose account map is splitting into shards restores from a snapshot and goes on byte for byte like one that never stopped', () => {
  const a = new Engine(defaultPolicy());
  for (const r of registry()) a.apply(parseEvent(r));
  // 32,768 accounts begin the split; the next hundred move only part of them
  for (let i = 0; i < 32_868; i++) a.apply(parseEvent(account(`reg-${i}`)));
  const memory = (a as unknown as { memory: { split: boolean; moving: unknown } }).memory;
  assert.ok(memory.split && memory.moving !== null, 'the split is under way');
  const b = restored(snapshotOf(a));
  for (let i = 0; i < 200; i++) {
    const p = parseEvent(tx(i * 1_000, { accountId: `reg-${i * 97}`, deviceId: `d-reg-${i}` }));
    assert.deepEqual(b.apply(p), a.apply(p), `payment ${i}`);
  }
  for (let i = 32_868; i < 33_000; i++) {
    const e = parseEvent(account(`reg-${i}`));
    a.apply(e);
    b.apply(e);
  }
  assert.ok(snapshotOf(b).equals(snapshotOf(a)), 'the whole state');
});
