// Partition leases in the owners bucket, against the real NATS server: exclusive, renewed, taken over
// after the holder stops renewing (bucket TTL), refused to the old holder afterwards, released.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionLostError } from '../../../src/errors.js';
import { acquireLease, leaseHolder } from '../../../src/store/nats/lease.js';
import { secondNode, testCluster } from './harness.js';

const TTL_MS = 1000;
const RENEW_MS = 250;

test('one holder at a time; a holder that stops renewing is taken over within TTL + margin, and its next renewal is refused', async (t) => {
  const c = await testCluster(t, { ownerTtlMs: TTL_MS });
  const other = await secondNode(t, c);
  const lost: PartitionLostError[] = [];
  const a = await acquireLease({ cluster: c, partition: 4, holder: 'node-a', renewEveryMs: RENEW_MS, onLost: (e) => lost.push(e) });
  assert.ok(a !== null && a.held);
  assert.equal((await leaseHolder(other, 4))?.holder, 'node-a');
  assert.equal(await acquireLease({ cluster: other, partition: 4, holder: 'node-b' }), null, 'B cannot take a held lease');

  // renewals keep it past the TTL
  await new Promise((r) => setTimeout(r, TTL_MS + 300));
  assert.ok(a.revision > a.epoch, 'renewed');
  assert.equal(await acquireLease({ cluster: other, partition: 4, holder: 'node-b' }), null, 'still held after the TTL: renewed');

  // A stalls (no release): B polls and takes it once the key ages out
  a.pauseRenewals();
  const stalledAt = performance.now();
  let b = null;
  while (b === null && performance.now() - stalledAt < TTL_MS + 3000) {
    b = await acquireLease({ cluster: other, partition: 4, holder: 'node-b', renewEveryMs: RENEW_MS });
    if (b === null) await new Promise((r) => setTimeout(r, 25));
  }
  const tookMs = performance.now() - stalledAt;
  assert.ok(b !== null, 'B took the lease');
  t.diagnostic(`takeover ${tookMs.toFixed(0)} ms after the holder stalled (bucket TTL ${TTL_MS} ms, renewal every ${RENEW_MS} ms)`);
  assert.ok(tookMs >= TTL_MS - RENEW_MS - 50, `not before the lease could lapse: ${tookMs.toFixed(0)} ms`);
  assert.ok(tookMs <= TTL_MS + 1000, `within TTL + 1 s: ${tookMs.toFixed(0)} ms`);
  assert.ok(b.epoch > a.epoch, 'a new epoch');
  assert.equal((await leaseHolder(c, 4))?.holder, 'node-b');

  // A wakes up: its renewal is refused, onLost fires once, and it no longer holds anything
  assert.equal(lost.length, 0);
  a.resumeRenewals();
  const deadline = performance.now() + 2000;
  while (lost.length === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(lost.length, 1);
  assert.ok(lost[0] instanceof PartitionLostError && lost[0].partition === 4 && /FK5008/.test(lost[0].message) && /another node holds it/.test(lost[0].message), lost[0]?.message);
  assert.equal(a.held, false);
  await a.release(); // a lost lease releases nothing
  assert.equal((await leaseHolder(c, 4))?.holder, 'node-b');
  assert.equal(b.held, true);
  await b.release();
});

test('a released lease can be taken at once; leases of different partitions are independent', async (t) => {
  const c = await testCluster(t, { ownerTtlMs: TTL_MS });
  const other = await secondNode(t, c);
  const a0 = await acquireLease({ cluster: c, partition: 0, holder: 'node-a' });
  const b1 = await acquireLease({ cluster: other, partition: 1, holder: 'node-b' });
  assert.ok(a0 !== null && b1 !== null);
  await a0.release();
  assert.equal(a0.held, false);
  assert.equal(await leaseHolder(other, 0), null);
  const b0 = await acquireLease({ cluster: other, partition: 0, holder: 'node-b' });
  assert.ok(b0 !== null, 'taken right after the release, without waiting for the TTL');
  await b0.release();
  await b1.release();
});
