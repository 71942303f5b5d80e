// "Never registered" is a signal only for the registries a stream feeds: a payments-only stream is not
// flagged on every payment, a registry-fed one flags each unregistered merchant, terminal, account and
// acquirer — and keeps doing so under a flood of unregistered traffic. The registries' use survives a
// snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { SnapshotReader, SnapshotWriter } from '../../src/engine/snapshot/codec.js';
import { account, baseWorld, defaultPolicy, HOUR, MIN, tx } from './world.js';

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
