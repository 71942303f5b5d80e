// Swapping the deciding policy inside a running engine: windows the new policy shares with the old
// keep their state (so a rule change decides the next payment with full history), changed windows
// start empty and are named, and nothing else about the engine's memory is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { compilePolicy } from '../../src/rules/compile.js';
import { at, MIN } from './world.js';

const BASE = `
feature small_10m = count by account over 10m where amount < ¥50
feature spent_1h = sum(amount) by account over 1h
feature merchants_1h = distinct(merchant) by account over 1h
feature device_tx_1h = count by device over 1h
rule BURST
  when small_10m >= 3
  outcome review
  reason SMALL_BURST
`;

function policy(text: string, name: string) {
  return compilePolicy([{ file: `${name}.fk`, text }], BUILTINS, name);
}

function pay(engine: Engine, k: number, amount: number, merchant = 'M1') {
  return engine.apply(
    parseEvent({ type: 'transaction', id: `t${k}`, ts: at(k * MIN), accountId: 'A', amount, merchantId: merchant, terminalId: 'T', deviceId: 'D' }),
  )!;
}

function read(engine: Engine, name: string): number {
  const w = engine.currentPolicy.windows.find((x) => x.name === name)!;
  return engine.lastVector.num[w.slot];
}

test('a new rule over the same windows decides the next payment with the history before the swap', () => {
  const engine = new Engine(policy(BASE, 'v1'));
  pay(engine, 0, 1_000);
  pay(engine, 1, 1_500, 'M2');
  // v2 declares the same windows in another order and under other names, adds a rule and a threshold.
  const v2 = policy(
    `feature device_tx = count by device over 1h
feature s10 = count by account over 10m where amount < ¥50
feature spent = sum(amount) by account over 1h
feature m1h = distinct(merchant) by account over 1h
rule TWO_SMALL
  when s10 >= 2
  outcome decline
  reason TWO_SMALL`,
    'v2',
  );
  assert.deepEqual(engine.freshWindowsFor(v2), []);
  const swap = engine.replacePolicy(v2);
  assert.deepEqual(swap.fresh, []);
  assert.equal(engine.currentPolicy.name, 'v2');
  const d = pay(engine, 2, 2_000);
  assert.equal(d.outcome, 'decline', 'the third small payment is the second+ one v2 sees in 10 minutes');
  assert.equal(read(engine, 's10'), 3);
  assert.equal(read(engine, 'spent'), 4_500);
  assert.equal(read(engine, 'm1h'), 2);
  assert.equal(read(engine, 'device_tx'), 3);
});

test('a changed window starts empty and is named; the untouched key groups keep their state', () => {
  const engine = new Engine(policy(BASE, 'v1'));
  pay(engine, 0, 1_000);
  pay(engine, 1, 1_000);
  const v3 = policy(BASE.replace('where amount < ¥50', 'where amount < ¥20'), 'v3');
  assert.deepEqual(engine.freshWindowsFor(v3).sort(), ['merchants_1h', 'small_10m', 'spent_1h']);
  const swap = engine.replacePolicy(v3);
  assert.deepEqual([...swap.fresh].sort(), ['merchants_1h', 'small_10m', 'spent_1h']);
  pay(engine, 2, 1_000);
  assert.equal(read(engine, 'small_10m'), 1, 'the changed account group starts from this payment');
  assert.equal(read(engine, 'spent_1h'), 1_000);
  assert.equal(read(engine, 'device_tx_1h'), 3, 'the device group was unchanged and kept its history');
  assert.equal(engine.account('A')?.id, 'A', 'account memory survives the swap');
});

test('swapping back and forth keeps deciding like an engine that never swapped', () => {
  const v1 = policy(BASE, 'v1');
  const v2 = policy(BASE.replace('small_10m >= 3', 'small_10m >= 2'), 'v2');
  const swapped = new Engine(v1);
  const straight = new Engine(v1);
  for (let k = 0; k < 30; k++) {
    if (k % 7 === 3) swapped.replacePolicy(k % 2 === 0 ? v1 : v2);
    const a = pay(swapped, k, 1_000 + (k % 5) * 2_000, `M${k % 3}`);
    const b = pay(straight, k, 1_000 + (k % 5) * 2_000, `M${k % 3}`);
    for (const w of ['small_10m', 'spent_1h', 'merchants_1h', 'device_tx_1h']) assert.equal(read(swapped, w), read(straight, w), `${w} at ${k}`);
    if (swapped.currentPolicy.name === 'v1') assert.equal(a.outcome, b.outcome, `outcome at ${k}`);
  }
});
