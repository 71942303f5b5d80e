// The default policy works with what a stream sends. "Never registered" is a signal only for the
// registries it feeds: a payments-only stream is not flagged on every payment, a registry-fed one flags
// each unregistered merchant, terminal, account and acquirer — and keeps doing so under a flood of
// unregistered traffic (and after a snapshot). What an account owes is known only where repayments are
// reported, and a placeholder device id ("NA" on every card payment) is no shared phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { SnapshotReader, SnapshotWriter } from '../../src/codec/codec.js';
import { N } from '../../src/features/catalog.js';
import { account, at, baseWorld, defaultPolicy, HOUR, MIN, tx } from './world.js';

/** Sorted, as `run` reports them. */
const UNREGISTERED = ['ACQUIRER_UNKNOWN', 'UNREGISTERED_ACCOUNT', 'UNREGISTERED_MERCHANT', 'UNREGISTERED_TERMINAL'];

function run(e: Engine, events: Record<string, unknown>[]): string[][] {
  const out: string[][] = [];
  for (const ev of events) {
    const d = e.apply(parseEvent(ev));
    if (d !== null) out.push(d.reasons.map((r) => r.code).filter((c) => UNREGISTERED.includes(c)).sort());
  }
  return out;
}

const ghost = (i: number): Record<string, unknown> =>
  tx(10 * HOUR + i * 7 * MIN, { accountId: `C${i % 9}`, merchantId: `X${i % 5}`, terminalId: `X${i % 5}`, acquirerId: '99990000', mcc: undefined, merchantName: undefined });

test('a stream of payments only (no registrations at all) is not flagged for what it never registers', () => {
  const flagged = run(new Engine(defaultPolicy()), Array.from({ length: 40 }, (_, i) => ghost(i)));
  assert.equal(flagged.length, 40);
  for (const codes of flagged) assert.deepEqual(codes, []);
});

test('a registry-fed stream flags each kind of unregistered party, through a flood of them, and after a snapshot', () => {
  const e = new Engine(defaultPolicy());
  run(e, baseWorld());
  const flood = run(e, Array.from({ length: 300 }, (_, i) => ghost(i)));
  for (const codes of flood) assert.deepEqual(codes, UNREGISTERED);
  const w = new SnapshotWriter();
  e.writeSnapshot(w);
  const restored = new Engine(defaultPolicy());
  restored.readSnapshot(new SnapshotReader(Buffer.concat(w.finish().parts)));
  assert.deepEqual(run(restored, [ghost(301)]), [UNREGISTERED]);
});

test('each registry counts on its own: accounts registered, merchants not', () => {
  const codes = run(new Engine(defaultPolicy()), [account('A1'), ghost(0), tx(11 * HOUR, { accountId: 'GHOST', merchantId: 'X9', terminalId: 'X9', acquirerId: undefined })]);
  assert.deepEqual(codes, [['UNREGISTERED_ACCOUNT'], ['UNREGISTERED_ACCOUNT']]);
});

test('a stream that reports no repayments: what is owed is unknown, so spending piles up no over-limit declines; a payment above the limit itself still is one', () => {
  const e = new Engine(defaultPolicy());
  run(e, [account('A1')]);
  // ¥20,000 limit; about ¥3,000 a day for ten days would be ¥30,000 owed if nothing was ever repaid
  const days = run(e, Array.from({ length: 10 }, (_, i) => tx(10 * HOUR + i * 24 * HOUR, { amount: 298_765 })));
  assert.equal(days.length, 10);
  const last = e.apply(parseEvent(tx(11 * 24 * HOUR + 10 * HOUR, { amount: 298_765 })))!;
  assert.equal(last.outcome, 'approve', JSON.stringify(last.reasons));
  assert.ok(Number.isNaN(e.lastVector.num[N.utilisation]) && Number.isNaN(e.lastVector.num[N.available_credit]));
  const huge = e.apply(parseEvent(tx(12 * 24 * HOUR + 10 * HOUR, { amount: 2_500_000 })))!;
  assert.deepEqual([huge.outcome, huge.reasons.some((r) => r.code === 'OVER_LIMIT')], ['decline', true]);
  // once a repayment is reported, what is owed counts again
  e.apply(parseEvent({ type: 'account_event', ts: at(13 * 24 * HOUR), accountId: 'A1', kind: 'repayment', amount: 100_000 }));
  e.apply(parseEvent(tx(13 * 24 * HOUR + HOUR, { amount: 1_000 })));
  assert.ok(e.lastVector.num[N.utilisation] > 1, String(e.lastVector.num[N.utilisation]));
});

test('a placeholder device id on many accounts is no shared phone: no SHARED_DEVICE, no new-device challenge', () => {
  const e = new Engine(defaultPolicy());
  run(e, [...baseWorld(), ...Array.from({ length: 40 }, (_, i) => account(`P${i}`))]);
  const placeholder = (i: number): Record<string, unknown> => tx(10 * HOUR + i * MIN, { accountId: `P${i}`, deviceId: 'NA', ip: '0.0.0.0', amount: 5_000 + i });
  const reasons = (d: ReturnType<Engine['apply']>): string[] => d!.reasons.map((r) => r.code);
  const shared: boolean[] = [];
  for (let i = 0; i < 40; i++) shared.push(reasons(e.apply(parseEvent(placeholder(i)))).includes('SHARED_DEVICE'));
  // a real device farm (4–29 accounts in a day) is flagged; past 30 the id is a placeholder
  assert.deepEqual(shared.map((s, i) => (s ? i : -1)).filter((i) => i >= 0), Array.from({ length: 26 }, (_, i) => i + 3));
  // A1 resets its password and pays with the placeholder: not a new phone after a reset
  e.apply(parseEvent({ type: 'account_event', ts: at(11 * HOUR), accountId: 'A1', kind: 'password_reset', deviceId: 'D1' }));
  const d = e.apply(parseEvent(tx(11 * HOUR + 10 * MIN, { deviceId: 'NA' })));
  assert.ok(!reasons(d).includes('NEW_DEVICE_AFTER_PASSWORD_RESET'), reasons(d).join());
  assert.notEqual(d!.outcome, 'challenge');
  // with a real new phone the challenge stands
  const real = e.apply(parseEvent(tx(11 * HOUR + 20 * MIN, { deviceId: 'D-new' })));
  assert.ok(reasons(real).includes('NEW_DEVICE_AFTER_PASSWORD_RESET'), reasons(real).join());
});
