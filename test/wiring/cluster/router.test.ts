// The cluster node's router while nobody owns the partition (a takeover in progress): a read of a
// decision is answered from the PostgreSQL projection when it holds it, and stays a 503 (retry) when
// it does not — a miss there is no proof that the payment was never decided. Real NATS (no owner
// subscribed) and a real projection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiError } from '../../../src/server/errors.js';
import { Forwarder } from '../../../src/store/nats/forward.js';
import { ClusterDecider } from '../../../src/wiring/cluster/router.js';
import { partitionEntries, projectorPlace } from './harness.js';

function find(d: ClusterDecider, txId: string): Promise<{ err: ApiError | null; body: string | null }> {
  return new Promise((resolve) => d.find(txId, (err, body) => resolve({ err, body })));
}

test('with no owner, GET /v1/decisions/{id} reads the projection, and a miss there is a 503, not a 404', async (t) => {
  const place = await projectorPlace(t);
  const entries = partitionEntries(0, 1, 10);
  await place.projection.project(0, entries);
  const forwarder = new Forwarder(place.nats, { noOwnerWaitMs: 200, retryMs: 50 });
  t.after(() => forwarder.close());
  const decider = new ClusterDecider(
    { partitions: 1, owner: () => null, recent: () => null, projected: async (txId) => (await place.projection.decision(txId))?.decision ?? null },
    forwarder,
  );
  const tx = entries.find((e) => e.txId !== null && e.decision !== null)!;
  const hit = await find(decider, tx.txId!);
  assert.equal(hit.err, null);
  assert.equal(hit.body, tx.decision);
  const miss = await find(decider, 'never-projected');
  assert.equal(miss.body, null);
  assert.equal(miss.err?.status, 503);
  assert.equal(miss.err?.api, 'partition_unavailable');
  assert.equal(miss.err?.headers['retry-after'], '1');
});
