// Reversals in the engine (issue 15): an `account_event` of kind `reversal`, journaled with the
// payment it reverses and the outcome that payment was answered with, gives back the credit it used
// and takes it out of its count, sum and mean windows at the reversal's time — the next payment then
// sees the balance and the velocity of a stream where the reversed payment never happened. A
// declined payment's reversal gives back no credit; a partial one only the amount reversed; one
// naming no decided payment changes nothing; a payment is reversed once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FkEvent, TransactionEvent } from '../../src/contract/events.js';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { N } from '../../src/features/catalog.js';
import { SnapshotReader, SnapshotWriter } from '../../src/codec/codec.js';
import { at, baseWorld, defaultPolicy, MIN, tx } from './world.js';

type Obj = Record<string, unknown>;

/** Features a reversal must bring back to what they would be without the payment. */
const UNDONE = ['available_credit', 'utilisation', 'tx_1h', 'spend_24h', 'acct_merchant_1h', 'acct_merchant_spend_1h', 'small_tx_10m'];

/** Runs `events`, JSON round-tripped as the journal keeps them; returns the engine. */
function engineAfter(events: readonly Obj[]): Engine {
  const e = new Engine(defaultPolicy());
  for (const x of events) e.apply(parseEvent(JSON.parse(JSON.stringify(x))));
  return e;
}

/** The features of `probe` decided after `events`. */
function featuresAfter(events: readonly Obj[], probe: Obj): Record<string, number> {
  const e = engineAfter(events);
  e.apply(parseEvent(probe));
  const v = e.lastVector.num;
  return Object.fromEntries(UNDONE.map((k) => [k, v[N[k] ?? e.currentPolicy.windows.find((w) => w.name === k)!.slot]]));
}

function reversal(of: Obj, outcome: string, extra: Obj = {}): Obj {
  return { type: 'account_event', ts: at(25 * MIN), accountId: 'A1', kind: 'reversal', txId: of.id, original: parseEvent(of) as TransactionEvent, originalOutcome: outcome, ...extra };
}

const before = baseWorld();
const p1 = tx(10 * MIN, { amount: 3_000 });
const p2 = tx(15 * MIN, { amount: 4_500 });
const p3 = tx(20 * MIN, { amount: 2_000 });
const probe = tx(30 * MIN, { amount: 1_000 });

test('a reversal gives back the credit and takes the payment out of its count and sum windows', () => {
  const without = featuresAfter([...before, p1, p3], probe);
  const reversed = featuresAfter([...before, p1, p2, p3, reversal(p2, 'approve')], probe);
  const kept = featuresAfter([...before, p1, p2, p3], probe);
  assert.deepEqual(reversed, without);
  assert.notDeepEqual(kept, without, 'the payment did count before its reversal');
  assert.equal(without.tx_1h + 1, kept.tx_1h);
});

test('a declined payment\'s reversal gives back no credit; its windows drop it all the same', () => {
  const without = featuresAfter([...before, p1, p3], probe);
  const declinedKept = featuresAfter([...before, p1, p2, p3], probe);
  const reversed = featuresAfter([...before, p1, p2, p3, reversal(p2, 'decline')], probe);
  // the engine's own decision of p2 approved it, so its credit was used; a reversal saying it was
  // declined (as the switch answered it) gives none back
  assert.equal(reversed.available_credit, declinedKept.available_credit);
  assert.equal(reversed.tx_1h, without.tx_1h);
  assert.equal(reversed.spend_24h, without.spend_24h);
});

test('a partial reversal gives back the amount reversed and leaves the windows', () => {
  const kept = featuresAfter([...before, p1, p2, p3], probe);
  const partial = featuresAfter([...before, p1, p2, p3, reversal(p2, 'approve', { amount: 1_500 })], probe);
  assert.equal(partial.available_credit, kept.available_credit + 1_500);
  assert.equal(partial.tx_1h, kept.tx_1h);
  assert.equal(partial.spend_24h, kept.spend_24h);
});

test('a reversal naming no decided payment changes nothing', () => {
  const kept = featuresAfter([...before, p1, p2, p3], probe);
  const unknown = featuresAfter([...before, p1, p2, p3, { type: 'account_event', ts: at(25 * MIN), accountId: 'A1', kind: 'reversal', txId: 'never-decided' }], probe);
  assert.deepEqual(unknown, kept);
});

test('the contract: a reversal needs txId; what it reverses is checked as a payment', () => {
  assert.throws(() => parseEvent({ type: 'account_event', ts: at(0), accountId: 'A1', kind: 'reversal' }), /txId/);
  assert.throws(() => parseEvent({ ...reversal(p2, 'approve'), original: { type: 'transaction', id: 'x' } }), /original\./);
  assert.throws(() => parseEvent({ ...reversal(p2, 'maybe') }), /originalOutcome/);
  const e = parseEvent(JSON.parse(JSON.stringify(reversal(p2, 'approve')))) as FkEvent & { original?: TransactionEvent };
  assert.equal(e.original?.id, p2.id);
});

test('a payment is reversed once: a repeat (0401, an advice sent again) changes nothing, even after a snapshot', () => {
  const once = featuresAfter([...before, p1, p2, p3, reversal(p2, 'approve')], probe);
  const twice = featuresAfter([...before, p1, p2, p3, reversal(p2, 'approve'), reversal(p2, 'approve', { ts: at(26 * MIN) })], probe);
  assert.deepEqual(twice, once);
  // the mark travels in the engine's snapshot
  const e = engineAfter([...before, p1, p2, p3, reversal(p2, 'approve')]);
  const w = new SnapshotWriter();
  e.writeSnapshot(w);
  const restored = new Engine(defaultPolicy());
  restored.readSnapshot(new SnapshotReader(Buffer.concat(w.finish().parts)));
  restored.apply(parseEvent(JSON.parse(JSON.stringify(reversal(p2, 'approve', { ts: at(26 * MIN) })))));
  restored.apply(parseEvent(probe));
  const v = restored.lastVector.num;
  const after = Object.fromEntries(UNDONE.map((k) => [k, v[N[k] ?? restored.currentPolicy.windows.find((x) => x.name === k)!.slot]]));
  assert.deepEqual(after, once);
});
