// The PostgreSQL key store: the shared KeyStore contract on a fresh database per test, then what is
// the cluster's own: two nodes share one table, and a revocation racing another is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, StoreError } from '../../../src/errors.js';
import { PgKeyStore } from '../../../src/store/postgres/keys.js';
import { keysContract } from '../contract/keys.js';
import { pgHarness } from './contract-harness.js';
import { testPostgres } from './harness.js';

keysContract('PgKeyStore', pgHarness(async ({ pg }) => ({ port: await PgKeyStore.open(pg) })));

test('PgKeyStore: a key created on one node is found on another; of two revocations at once, one wins', async (t) => {
  const { open } = await testPostgres(t);
  const [a, b] = await Promise.all([open().then(PgKeyStore.open), open().then(PgKeyStore.open)]);
  const hash = '5'.repeat(64);
  await a.createKey(hash, 'decide', 'switch-1');
  assert.equal((await b.findKey(hash))?.name, 'switch-1');
  await assert.rejects(b.createKey(hash, 'admin'), (e: unknown) => e instanceof StoreError && e.message.includes('api_keys_pkey'),
    'a hash stored by another node is a StoreError, as in SQLite');
  const results = await Promise.allSettled([a.revokeKey(hash.slice(0, 12), 'x'), b.revokeKey(hash.slice(0, 12), 'y')]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const refused = results.find((r) => r.status === 'rejected');
  assert.ok(refused !== undefined && refused.status === 'rejected' && refused.reason instanceof ConflictError);
  assert.equal((await a.revocations()) + (await b.revocations()), 1);
  assert.equal(await a.findKey(hash), undefined);
});
