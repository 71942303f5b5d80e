// Connecting to a cluster: names from the cluster name, a clear error for a bad name or an
// unreachable server, and a stream or bucket set up differently refused rather than changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, StoreError } from '../../../src/errors.js';
import { clusterNames } from '../../../src/store/nats/names.js';
import { connectCluster } from '../../../src/store/nats/connect.js';
import { NATS_URL, testCluster } from './harness.js';

test('names derive from the cluster name', () => {
  const n = clusterNames('Risk_1');
  assert.equal(n.stream, 'FK_RISK_1_JOURNAL');
  assert.equal(n.journalWildcard, 'fk.Risk_1.j.*');
  assert.equal(n.journalSubject(12), 'fk.Risk_1.j.12');
  assert.equal(n.controlSubject, 'fk.Risk_1.ctl');
  assert.equal(n.ownersBucket, 'fk_Risk_1_owners');
  assert.equal(n.projectorConsumer, 'fk_Risk_1_projector');
  assert.equal(n.ownerKey(3), 'p.3');
  assert.equal(n.inboxSubject(7), 'fk.Risk_1.p.7.in');
  for (const bad of ['', 'a.b', 'a-b', 'a b', 'fk*', 'x>', 'é', 'a'.repeat(65)]) {
    assert.throws(() => clusterNames(bad), (e: Error) => e instanceof ConfigError && /letters, digits or _/.test(e.message), bad);
  }
  assert.throws(() => n.journalSubject(-1), ConfigError);
  assert.throws(() => n.journalSubject(1.5), ConfigError);
  assert.throws(() => n.inboxSubject(-1), ConfigError);
  assert.throws(() => n.inboxSubject(Number.NaN), ConfigError);
});

test('an unreachable server is an error naming the URL and what to do', async () => {
  const url = 'nats://127.0.0.1:4999';
  await assert.rejects(connectCluster({ url, cluster: 'unreachable' }), (e: Error) => e instanceof StoreError && e.message.includes(url) && /start the server/.test(e.message));
});

test('the stream and bucket are created once, then verified: other settings are refused', async (t) => {
  const c = await testCluster(t, { ownerTtlMs: 2000 });
  const info = await c.jsm.streams.info(c.names.stream);
  assert.deepEqual([...(info.config.subjects ?? [])].sort(), [c.names.controlSubject, c.names.journalWildcard].sort());
  assert.equal(info.config.storage, 'file');
  assert.equal(info.config.num_replicas, 1);
  assert.equal((await c.owners.status()).ttl, 2000);
  const same = await connectCluster({ url: NATS_URL, cluster: c.names.cluster, ownerTtlMs: 2000 });
  await same.close();
  await assert.rejects(connectCluster({ url: NATS_URL, cluster: c.names.cluster, ownerTtlMs: 2000, replicas: 3 }), (e: Error) => e instanceof StoreError && /exists with other settings: replicas 1 \(want 3\)/.test(e.message));
  await assert.rejects(connectCluster({ url: NATS_URL, cluster: c.names.cluster, ownerTtlMs: 2000, duplicateWindowMs: 60_000 }), (e: Error) => e instanceof StoreError && /duplicate window 120000 ms \(want 60000\)/.test(e.message));
  await assert.rejects(connectCluster({ url: NATS_URL, cluster: c.names.cluster, ownerTtlMs: 5000 }), (e: Error) => e instanceof StoreError && /TTL 2000 ms .* \(want 5000 ms/.test(e.message));
  await assert.rejects(connectCluster({ url: NATS_URL, cluster: c.names.cluster, replicas: 0 }), ConfigError);
  // left out, the cluster's own settings are taken: a CLI command or a node without the flags joins it
  const adopting = await connectCluster({ url: NATS_URL, cluster: c.names.cluster });
  assert.equal(adopting.ownerTtlMs, 2000);
  await adopting.close();
});
