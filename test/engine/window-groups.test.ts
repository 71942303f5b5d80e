// Window groups as the engine runs them: many windows on one key, filters, unknown keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { compilePolicy } from '../../src/rules/compile.js';
import { at, MIN } from './world.js';

test('forty windows on one key each see exactly the payments their filter lets in', () => {
  const n = 40;
  const text = Array.from({ length: n }, (_, i) => `feature w${i} = count by account over 1h where amount >= ${(i + 1) * 100}`)
    .concat([`rule R\n  when ${Array.from({ length: n }, (_, i) => `w${i} >= 0`).join(' and ')}\n  score 1`, 'feature d = count by device over 1h'])
    .join('\n');
  const policy = compilePolicy([{ file: 'many.fk', text }], BUILTINS, 'many');
  const engine = new Engine(policy);
  const amounts = [150, 950, 2050, 3999, 4000];
  amounts.forEach((amount, k) =>
    engine.apply(parseEvent({ type: 'transaction', id: `t${k}`, ts: at(k * MIN), accountId: 'A', amount, merchantId: 'M', terminalId: 'T' })),
  );
  const v = engine.lastVector.num;
  for (let i = 0; i < n; i++) {
    const threshold = (i + 1) * 100;
    const w = policy.windows.find((x) => x.name === `w${i}`)!;
    assert.equal(v[w.slot], amounts.filter((a) => a >= threshold).length, `w${i}`);
  }
  const d = policy.windows.find((x) => x.name === 'd')!;
  assert.ok(Number.isNaN(v[d.slot]), 'a payment without a device reads a device window as unknown');
});

test('a late payment is decided and counted at its own time, never dropped', async () => {
  const { defaultPolicy, baseWorld, tx, HOUR } = await import('./world.js');
  const policy = defaultPolicy();
  const engine = new Engine(policy);
  for (const e of baseWorld()) engine.apply(parseEvent(e));
  const slot = policy.windows.find((w) => w.name === 'small_tx_10m')!.slot;
  const T = 10 * HOUR;
  const order = [T, T + 2 * MIN, T + 4 * MIN, T + 1 * MIN /* late */, T + 5 * MIN];
  const decided = order.map((ms) => engine.apply(parseEvent(tx(ms, { amount: 2_000 }))));
  assert.ok(decided.every((d) => d !== null), 'every payment, the late one too, gets a decision');
  assert.equal(engine.lastVector.num[slot], 5, 'the late payment counts in the 10-minute window');
  assert.ok(decided[4]!.reasons.some((r) => r.code === 'SMALL_PAYMENT_BURST'));
});
