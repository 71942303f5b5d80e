// A worker's adapter arrives as data (AdapterRef) and is imported by URL: the SQLite factory module
// exports every factory a domain worker asks for, and a wrong module fails with its URL named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { importAdapter } from '../../src/io/adapter-ref.js';
import type { TxIndexAdapter } from '../../src/accounts/store.js';
import type { BacktestAdapter } from '../../src/policy/backtest-in-worker.js';
import type { ShadowAdapter } from '../../src/policy/shadow-types.js';
import type { ReportAdapter } from '../../src/report/worker-runner.js';
import { sqliteWorkerAdapter } from '../../src/store/sqlite/worker-factory.js';

type Every = TxIndexAdapter & BacktestAdapter & ShadowAdapter & ReportAdapter;

test('the SQLite worker factory exports every factory the domain workers ask for', async () => {
  const ref = sqliteWorkerAdapter('/tmp/nowhere');
  assert.equal(ref.dataDir, '/tmp/nowhere');
  assert.deepEqual(JSON.parse(JSON.stringify(ref)), ref, 'plain data: it crosses postMessage');
  const a = await importAdapter<Every>(ref, ['openTxIndexWriter', 'openBacktestSource', 'openShadowSource', 'openReportSource']);
  assert.equal(typeof a.openReportSource, 'function');
});

test('a module without the factory, or no module, is a ConfigError naming it', async () => {
  const ref = { module: new URL('../../src/errors.js', import.meta.url).href, dataDir: '/tmp' };
  await assert.rejects(importAdapter<TxIndexAdapter>(ref, ['openTxIndexWriter']), (e: unknown) => e instanceof ConfigError && /errors\.js.*openTxIndexWriter/.test(e.message));
  const gone = { module: new URL('./no-such-module.js', import.meta.url).href, dataDir: '/tmp' };
  await assert.rejects(importAdapter<TxIndexAdapter>(gone, ['openTxIndexWriter']), (e: unknown) => e instanceof ConfigError && /no-such-module/.test(e.message));
});
