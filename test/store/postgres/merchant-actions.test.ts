// The PostgreSQL merchant action store: the shared MerchantActionStore contract (with the audit log
// joining its transactions) on a fresh database per test, then what is the cluster's own: reasons
// sealed in the raw rows, and two nodes holding one merchant at once getting one hold and a Conflict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError } from '../../../src/errors.js';
import type { NewMerchantAction } from '../../../src/merchants/store.js';
import { PgAuditLog } from '../../../src/store/postgres/audit.js';
import { PgCrypt } from '../../../src/store/postgres/crypt.js';
import { PgMerchantStore } from '../../../src/store/postgres/merchants.js';
import { merchantActionsContract, type MerchantsUnderTest } from '../contract/merchant-actions.js';
import { pgHarness, quietly } from './contract-harness.js';
import { testPostgres } from './harness.js';

merchantActionsContract('PgMerchantStore', pgHarness<MerchantsUnderTest>(async ({ pg, masterKeyFile }) => {
  const crypt = await PgCrypt.open(pg, { masterKeyFile });
  return { port: { merchants: await PgMerchantStore.open(pg, { crypt }), audit: new PgAuditLog(pg, crypt) } };
}));

const T = 1_700_000_000_000;
const hold = (merchantId: string, reason: string): NewMerchantAction => ({
  merchantId, action: 'hold_settlement', terminalId: null, reason, actor: 'key_ana', createdAt: T, fromSeq: 10, expiresAt: null,
});

function masterKey(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fk-pgmerch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'master.key');
}

test('PgMerchantStore: reasons and release reasons are sealed in the raw rows, clear through the port', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const s = await quietly(() => PgMerchantStore.open(p, { masterKeyFile: masterKey(t) }));
  const a = await s.transaction(() => s.insert(hold('M1', 'HOLD-SECRET owner Zhang Wei under investigation')));
  await s.transaction(() => s.closeAction(a.id, T + 1, 'key_lead', 'RELEASE-SECRET cleared by police', 11));
  const raw = JSON.stringify((await p.pool.query('SELECT * FROM merchant_actions')).rows);
  for (const secret of ['HOLD-SECRET', 'Zhang', 'RELEASE-SECRET', 'police']) assert.ok(!raw.includes(secret), `no ${secret} in the raw rows`);
  const got = (await s.get(a.id))!;
  assert.deepEqual([got.reason, got.releaseReason], ['HOLD-SECRET owner Zhang Wei under investigation', 'RELEASE-SECRET cleared by police']);
});

test('PgMerchantStore: two nodes holding one merchant at once: one hold, the others a Conflict; ids gap-free', async (t) => {
  const { open } = await testPostgres(t);
  const key = masterKey(t);
  const [p1, p2] = await Promise.all([open(), open()]);
  const one = await quietly(() => PgMerchantStore.open(p1, { masterKeyFile: key }));
  const two = await PgMerchantStore.open(p2, { masterKeyFile: key });
  const tries = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? one : two).insert(hold('M1', `try ${i}`))));
  assert.equal(tries.filter((r) => r.status === 'fulfilled').length, 1);
  assert.ok(tries.every((r) => r.status === 'fulfilled' || r.reason instanceof ConflictError));
  const others = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? one : two).transaction(() => (i % 2 === 0 ? one : two).insert(hold(`M${i + 2}`, 'r')))));
  assert.equal(others.length, 8);
  assert.deepEqual((await two.everything()).map((x) => x.id), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal((await one.openHoldOf('M1'))?.id, 1);
});
