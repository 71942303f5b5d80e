// Features from the stream (src/model/auto-features.ts, auto-select.ts): the candidates compile as
// an ordinary policy file beside the default pack, one set per entity and horizon; a stream without
// devices or IPs gets none keyed by them; the kept ones bring the windows their ratios read; a
// column subset keeps rows and order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicyWith } from '../../src/engine/policy-source.js';
import { AUTO_PREFIX, candidateFeatures, featureFile } from '../../src/model/auto-features.js';
import { withColumns } from '../../src/model/auto-select.js';

test('the candidates compile beside the default pack, per entity and horizon', () => {
  const all = candidateFeatures({ device: true, ip: true });
  const none = candidateFeatures({ device: false, ip: false });
  assert.equal(all.length, 140, '6 entities × 4 horizons × (4 aggregates + a ratio) + 5 entities × 4 horizons of distinct counterparts');
  assert.equal(none.length, 92);
  assert.ok(none.every((f) => !/_(device|ip)_/.test(f.name)));
  assert.ok(all.every((f) => f.name.startsWith(AUTO_PREFIX)));
  const policy = loadPolicyWith(undefined, [{ file: '95-auto.fk', text: featureFile(all, all, 'test') }]);
  const base = loadPolicyWith(undefined, []);
  assert.equal(policy.windows.length - base.windows.length, 140 - 24, 'every window; the 24 ratios are derived');
  assert.ok(all.some((f) => f.line === 'feature auto_account_merchant_count_30d = count by account, merchant over 30d buckets 10'));
});

test('a kept ratio brings the mean it reads; a column subset keeps rows in order', () => {
  const all = candidateFeatures({ device: false, ip: false });
  const ratio = all.find((f) => f.name === 'auto_amount_to_terminal_mean_7d');
  assert.ok(ratio !== undefined);
  const text = featureFile([ratio], all, 'one kept');
  assert.deepEqual(text.split('\n').filter((l) => l.startsWith('feature')), [
    'feature auto_terminal_mean_7d = mean(amount) by terminal over 7d buckets 7',
    'feature auto_amount_to_terminal_mean_7d = amount / auto_terminal_mean_7d',
  ]);
  const data = { x: Float64Array.from([1, 2, 3, 4, 5, 6]), width: 3, rows: 2, y: [0, 1], featureNames: ['a', 'auto_b', 'c'] };
  const sub = withColumns(data, (n) => n !== 'auto_b');
  assert.deepEqual([...sub.x], [1, 3, 4, 6]);
  assert.deepEqual(sub.featureNames, ['a', 'c']);
  assert.equal(sub.width, 2);
});

test('selection keeps the generated features a model leans on, most first, and never the policy\'s own', async () => {
  const { trainGbdt } = await import('../../src/model/gbdt-train.js');
  const { keptFeatures } = await import('../../src/model/auto-select.js');
  const n = 3000;
  const x = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const signal = ((i * 2654435761) >>> 0) % 100;
    x[i * 3] = (i * 7919) % 1000; // amount: noise
    x[i * 3 + 1] = signal; // auto_terminal_count_7d: the signal
    x[i * 3 + 2] = (i * 104729) % 50; // auto_account_max_1h: noise
    y[i] = signal >= 95 ? 1 : 0;
  }
  const r = trainGbdt({ x, width: 3, rows: n, y, featureNames: ['amount', 'auto_terminal_count_7d', 'auto_account_max_1h'] }, { rounds: 20 });
  const generated = [
    { name: 'auto_terminal_count_7d', line: 'feature auto_terminal_count_7d = count by terminal over 7d buckets 7', needs: [] },
    { name: 'auto_account_max_1h', line: 'feature auto_account_max_1h = max(amount) by account over 1h buckets 6', needs: [] },
  ];
  const kept = keptFeatures(r.model, generated);
  assert.equal(kept[0]?.name, 'auto_terminal_count_7d');
  assert.ok(kept.every((f) => f.name.startsWith('auto_')));
});

test('generated features are kept only when the latest slice says so on both counts: higher AP and lower log loss', async () => {
  const { keptHelp } = await import('../../src/model/auto-select.js');
  const own = { averagePrecision: 0.832, logLoss: 0.0114 };
  assert.equal(keptHelp(own, { averagePrecision: 0.85, logLoss: 0.0101 }), true);
  // a thousandth of AP on a few frauds, with the likelihood of every row worse: noise
  assert.equal(keptHelp(own, { averagePrecision: 0.8331, logLoss: 0.0117 }), false);
  assert.equal(keptHelp(own, { averagePrecision: 0.82, logLoss: 0.0101 }), false);
  // a slice without figures (no fraud held out) keeps nothing
  assert.equal(keptHelp(own, { averagePrecision: null, logLoss: null }), false);
  assert.equal(keptHelp(null, { averagePrecision: 0.9, logLoss: 0.01 }), false);
});

test('the selection model trains on every fraud and a fixed quarter of the legitimate rows, in their order', async () => {
  const { selectionSample } = await import('../../src/model/auto-select.js');
  const rows = 20_000;
  const y: number[] = Array.from({ length: rows }, (_, i) => (i % 97 === 0 ? 1 : 0));
  const x = Float64Array.from({ length: rows * 2 }, (_, i) => i);
  const time = Array.from({ length: rows }, (_, i) => 1000 + i);
  const data = { x, width: 2, rows, y, time, featureNames: ['a', 'b'] };
  const s = selectionSample(data);
  const frauds = y.reduce((a, b) => a + b, 0);
  assert.equal(Array.from(s.y).reduce((a, b) => a + b, 0), frauds, 'every fraud');
  const legit = s.rows - frauds;
  assert.ok(Math.abs(legit / (rows - frauds) - 0.25) < 0.02, `a quarter of the legitimate rows: ${legit}`);
  const t = s.time as number[];
  for (let i = 1; i < s.rows; i++) assert.ok(t[i] > t[i - 1], 'in their order');
  // each kept row is the row it came from
  for (let i = 0; i < s.rows; i += 997) assert.equal(s.x[i * 2], 2 * (t[i] - 1000));
  assert.deepEqual(selectionSample(data).time, s.time, 'the same data, the same sample');
});
