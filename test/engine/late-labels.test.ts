// Labels with time (src/features/labels.ts): a payment that arrives after a label but carries an
// earlier `ts` is judged by the labels known at its own time — the same decision and label features
// as when it arrives in order — for payment, account, merchant and terminal labels alike; later
// payments see the label; a snapshot keeps what a late payment needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import type { Decision } from '../../src/engine/decision.js';
import { Engine } from '../../src/engine/engine.js';
import { N } from '../../src/features/catalog.js';
import { SnapshotReader, SnapshotWriter } from '../../src/codec/codec.js';
import { at, baseWorld, defaultPolicy, HOUR, MIN, tx } from './world.js';

type Obj = Record<string, unknown>;
const T = 10 * HOUR;
const FEATURES = ['terminal_fraud_30d', 'terminal_fraud_rate_30d', 'merchant_fraud_30d', 'terminal_days_since_fraud', 'account_labelled_fraud', 'merchant_labelled_fraud', 'terminal_labelled_fraud', 'credit_rating_score'];

function run(events: Obj[], engine = new Engine(defaultPolicy())): { engine: Engine; last: Decision; features: Record<string, number> } {
  let last: Decision | null = null;
  let features: Record<string, number> = {};
  for (const e of events) {
    const d = engine.apply(parseEvent(e));
    if (d !== null) {
      last = d;
      features = Object.fromEntries(FEATURES.map((f) => [f, engine.lastVector.num[N[f]]]));
    }
  }
  if (last === null) throw new Error('no decision');
  return { engine, last, features };
}

const label = (ms: number, o: Obj): Obj => ({ type: 'label', ts: at(ms), fraud: true, ...o });
const fraudAtT1 = tx(T, { id: 'f-1', accountId: 'A1', amount: 30_000 });
/** The late payment: ts an hour before the label, at the same terminal, by the labelled account. */
const late = tx(T + HOUR, { id: 'late', amount: 12_000, deviceId: 'D9' });

for (const [what, l] of [
  ['a payment', label(T + 2 * HOUR, { txId: 'f-1' })],
  ['the account', label(T + 2 * HOUR, { accountId: 'A1' })],
  ['the merchant', label(T + 2 * HOUR, { merchantId: 'M1' })],
  ['the terminal', label(T + 2 * HOUR, { terminalId: 'T1' })],
] as const) {
  test(`a late payment is judged without a label on ${what} that came after its time`, () => {
    const inOrder = run([...baseWorld(), fraudAtT1, late, l]);
    const lateOne = run([...baseWorld(), fraudAtT1, l, late]);
    assert.deepEqual(lateOne.features, inOrder.features);
    assert.deepEqual(lateOne.last, inOrder.last);
    // a payment after the label sees it
    const after = run([...baseWorld(), fraudAtT1, l, tx(T + 3 * HOUR, { id: 'after', amount: 12_000, deviceId: 'D9' })]);
    const seen = after.features;
    const flagged = what === 'a payment' ? seen.terminal_fraud_30d === 1 && seen.account_labelled_fraud === 1
      : what === 'the account' ? seen.account_labelled_fraud === 1
      : what === 'the merchant' ? seen.merchant_labelled_fraud === 1
      : seen.terminal_labelled_fraud === 1;
    assert.ok(flagged, `the label is known after its time: ${JSON.stringify(seen)}`);
    const unseen = lateOne.features;
    assert.equal(unseen.terminal_fraud_30d + unseen.account_labelled_fraud + unseen.merchant_labelled_fraud + unseen.terminal_labelled_fraud, 0, JSON.stringify(unseen));
  });
}

test('a retraction after the late payment\'s time is taken back too, and a snapshot keeps the labels a late payment needs', () => {
  const events = [...baseWorld(), fraudAtT1, label(T + 2 * HOUR, { txId: 'f-1' }), label(T + 3 * HOUR, { txId: 'f-1', fraud: false })];
  // at T + 2.5 h the payment was known fraud; the retraction at T + 3 h is not known yet
  const between = tx(T + 2 * HOUR + 30 * MIN, { id: 'between', amount: 12_000 });
  const inOrder = run([...baseWorld(), fraudAtT1, label(T + 2 * HOUR, { txId: 'f-1' }), between]);
  const lateOne = run([...events, between]);
  assert.equal(inOrder.features.terminal_fraud_30d, 1);
  assert.deepEqual(lateOne.features, inOrder.features);

  const engine = new Engine(defaultPolicy());
  for (const e of events) engine.apply(parseEvent(e));
  const w = new SnapshotWriter();
  engine.writeSnapshot(w);
  const restored = new Engine(defaultPolicy());
  restored.readSnapshot(new SnapshotReader(Buffer.concat(w.finish().parts)));
  const fromSnapshot = run([between], restored);
  assert.deepEqual(fromSnapshot.features, inOrder.features);
});
