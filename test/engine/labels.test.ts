// Label-aware features: what confirmed fraud teaches, and only from the label's own time on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import type { Decision } from '../../src/engine/decision.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { account, at, baseWorld, DAY, defaultPolicy, HOUR, tx } from './world.js';

type Obj = Record<string, unknown>;
const slot = (name: string): number => BUILTINS.lookup(name)!.slot;

function feed(engine: Engine, events: Obj[]): Decision[] {
  const out: Decision[] = [];
  for (const e of events) {
    const d = engine.apply(parseEvent(e));
    if (d !== null) out.push(d);
  }
  return out;
}

function label(ms: number, target: Obj, fraud = true): Obj {
  return { type: 'label', ts: at(ms), fraud, ...target };
}

/** Ten payments by ten accounts at T1 on day 1, ids P0…P9. */
function terminalDay(): Obj[] {
  const ev: Obj[] = [];
  for (let i = 0; i < 10; i++) ev.push(account(`C${i}`));
  for (let i = 0; i < 10; i++) ev.push(tx(DAY + i * HOUR, { id: `P${i}`, accountId: `C${i}`, deviceId: `E${i}` }));
  return ev;
}

test('terminal and merchant fraud rates count labels known by the payment time, by payment date', () => {
  const engine = new Engine(defaultPolicy());
  feed(engine, [...baseWorld(), ...terminalDay()]);
  feed(engine, [tx(2 * DAY, { accountId: 'C0', deviceId: 'E0' })]);
  assert.equal(engine.lastVector.num[slot('terminal_fraud_rate_7d')], 0, 'no label known yet');
  feed(engine, [label(3 * DAY, { txId: 'P1' }), label(3 * DAY, { txId: 'P2' }), label(3 * DAY, { txId: 'P3' })]);
  feed(engine, [tx(4 * DAY, { accountId: 'C0', deviceId: 'E0' })]);
  const v = engine.lastVector.num;
  assert.equal(v[slot('terminal_fraud_30d')], 3);
  assert.equal(v[slot('terminal_fraud_rate_7d')], 3 / 11);
  assert.ok(Number.isNaN(v[slot('terminal_fraud_rate_1d')]), 'no payment at the terminal within a day: rate unknown');
  assert.equal(v[slot('merchant_fraud_30d')], 3);
  assert.equal(v[slot('terminal_fraud_14d')], 3);
  assert.equal(v[slot('terminal_days_since_fraud')], (4 * DAY - (DAY + 3 * HOUR)) / DAY, 'P3 is the latest known fraud');
  assert.equal(v[slot('merchant_days_since_fraud')], (4 * DAY - (DAY + 3 * HOUR)) / DAY);
  assert.equal(v[slot('account_labelled_fraud')], 0);
  // a payment by an account with a confirmed fraud payment
  feed(engine, [tx(4 * DAY + HOUR, { accountId: 'C1', deviceId: 'E1' })]);
  assert.equal(engine.lastVector.num[slot('account_labelled_fraud')], 1);
  // "not fraud after all" takes a label back
  feed(engine, [label(5 * DAY, { txId: 'P3' }, false), tx(5 * DAY + HOUR, { accountId: 'C0', deviceId: 'E0' })]);
  assert.equal(engine.lastVector.num[slot('terminal_fraud_30d')], 2);
});

test('entity labels flag the account, merchant and terminal from their time on', () => {
  const engine = new Engine(defaultPolicy());
  feed(engine, baseWorld());
  feed(engine, [label(DAY, { accountId: 'A1' }), label(DAY, { merchantId: 'M1' }), label(DAY, { terminalId: 'T1' })]);
  feed(engine, [tx(DAY + HOUR)]);
  const v = engine.lastVector.num;
  assert.deepEqual(
    ['account_labelled_fraud', 'merchant_labelled_fraud', 'terminal_labelled_fraud'].map((n) => v[slot(n)]),
    [1, 1, 1],
  );
});

test('no leakage: a label never changes a decision made before its time, nor any feature of it', () => {
  const payments = terminalDay().concat(
    Array.from({ length: 30 }, (_, i) => tx(DAY + 12 * HOUR + i * 3 * HOUR, { accountId: `C${i % 10}`, deviceId: `E${i % 10}` })),
  );
  const labels = [label(2 * DAY, { txId: 'P1' }), label(3 * DAY, { txId: 'P2' }), label(3 * DAY, { accountId: 'C4' })];
  const sorted = (evs: Obj[]): Obj[] => [...evs].sort((a, b) => Date.parse(a.ts as string) - Date.parse(b.ts as string));
  const base = baseWorld();
  const run = (evs: Obj[]): { d: Decision; v: number[]; ts: number }[] => {
    const engine = new Engine(defaultPolicy());
    const out: { d: Decision; v: number[]; ts: number }[] = [];
    for (const e of evs) {
      const d = engine.apply(parseEvent(e));
      if (d !== null) out.push({ d, v: Array.from(engine.lastVector.num), ts: Date.parse(e.ts as string) });
    }
    return out;
  };
  const without = run([...base, ...sorted(payments)]);
  const withLabels = run([...base, ...sorted([...payments, ...labels])]);
  assert.equal(without.length, withLabels.length);
  const firstLabel = Date.parse(labels[0].ts as string);
  let before = 0;
  let changedAfter = 0;
  for (let i = 0; i < without.length; i++) {
    if (without[i].ts < firstLabel) {
      before++;
      assert.deepEqual(withLabels[i].d, without[i].d);
      assert.deepEqual(withLabels[i].v.map(String), without[i].v.map(String));
    } else if (JSON.stringify(withLabels[i].v.map(String)) !== JSON.stringify(without[i].v.map(String))) changedAfter++;
  }
  assert.ok(before >= 10, `only ${before} payments before the first label`);
  assert.ok(changedAfter > 0, 'labels must change later features, or this test proves nothing');
});

test("mature days: the latest day old enough for its fraud to be reported, the run of mostly-fraud days before it and since when, late payments judged without later labels", () => {
  // payments at T2 / M2 at 10:00 and 11:00 Shanghai (02:00, 03:00 UTC: one 24-hour bucket) on days 1, 2, 3;
  // both of day 2 and one of day 3 are fraud, labelled on day 4
  const ev: Obj[] = [...baseWorld(), account('C1'), account('C2')];
  for (const d of [1, 2, 3]) {
    for (const h of [10, 11]) ev.push(tx(d * DAY + h * HOUR, { id: `D${d}-${h}`, accountId: h === 10 ? 'C1' : 'C2', merchantId: 'M2', terminalId: 'T2', deviceId: `E${h}`, mcc: '5944', merchantName: '深圳珠宝行', geo: { lat: 22.55, lon: 114.07 } }));
  }
  ev.push(label(4 * DAY, { txId: 'D2-10' }), label(4 * DAY, { txId: 'D2-11' }), label(4 * DAY, { txId: 'D3-10' }));
  const at2 = (ms: number, id: string): Obj => tx(ms, { id, accountId: 'C1', merchantId: 'M2', terminalId: 'T2', deviceId: 'E10', mcc: '5944', merchantName: '深圳珠宝行', geo: { lat: 22.55, lon: 114.07 } });
  const names = ['mature_fraud_share', 'mature_fraud_days', 'days_since_fraud_run', 'fraud_rate_delayed_7d'];
  const read = (engine: Engine, who: 'terminal' | 'merchant'): number[] => names.map((n) => engine.lastVector.num[slot(`${who}_${n}`)]);

  // day 8: no day is 7 days old yet, so nothing is mature whatever the labels already say
  const early = new Engine(defaultPolicy());
  feed(early, [...ev, at2(8 * DAY + 10 * HOUR, 'early')]);
  assert.deepEqual(read(early, 'terminal'), [NaN, 0, NaN, NaN]);

  // day 12: days 1–3 are mature; day 3 is half fraud (counts as mostly), day 2 all, day 1 none
  const engine = new Engine(defaultPolicy());
  feed(engine, [...ev, at2(12 * DAY + 10 * HOUR, 'on-12')]);
  const runStart = 2 * DAY + 8 * HOUR; // the UTC midnight that begins day 2's bucket
  const expected = [0.5, 2, (12 * DAY + 10 * HOUR - runStart) / DAY, 3 / 6];
  assert.deepEqual(read(engine, 'terminal'), expected);
  assert.deepEqual(read(engine, 'merchant'), expected, 'M2 has the same payments as T2');

  // day 3's fraud is taken back on day 13: a payment of day 12 arriving after it still sees what was known then
  feed(engine, [label(13 * DAY, { txId: 'D3-10' }, false), at2(12 * DAY + 10 * HOUR, 'late-12')]);
  assert.deepEqual(read(engine, 'terminal'), expected);
  // a payment after the retraction sees day 3 clean: the run ends there
  feed(engine, [at2(13 * DAY + HOUR, 'on-13')]);
  assert.deepEqual(read(engine, 'terminal'), [0, 0, NaN, 2 / 6]);
});
