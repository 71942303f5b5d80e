import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CAT, compile } from './helpers.js';
import { compilePolicy, checkPolicy } from '../../src/rules/compile.js';
import { loadPolicyDir } from '../../src/rules/load.js';
import { ConfigError, PolicyCompileError } from '../../src/errors.js';

const POLICY = `
setting score.review = 30
setting score.challenge = 55
setting score.decline = 85
setting score.scale = 40

feature ratio = amount / mean_amount_30d
feature small_tx_10m = count by account over 10m where amount < ¥50
feature pay_acct_merchant_1h = count by account, merchant over 1h
feature spend_24h = sum(amount) by account over 24h buckets 24
feature merchants_1h = distinct(merchant) by account over 1h
feature round_accounts_merchant_24h = distinct(account) by merchant over 24h where is_round_amount
feature peak_1d = max(amount) by device over 1d buckets 500
feature burst = small_tx_10m >= 5 and ratio > 2

rule SMALL_PAYMENT_BURST
  description "Five or more payments under ¥50 from one account within ten minutes"
  when small_tx_10m >= 5 and channel in ["qr", "app"]
  outcome review
  score 30
  reason SMALL_PAYMENT_BURST

rule SPEND
  score -5
  when spend_24h > ¥20_000 or merchants_1h > 4 or pay_acct_merchant_1h > 3
  reason "HIGH_SPEND"

rule ROUND
  outcome decline
  when round_accounts_merchant_24h >= 10 and peak_1d > 0 and burst
`;

test('declared features get num slots after the builtins: windows first, then derived, in order', () => {
  const p = compile(POLICY);
  const base = CAT.numSlots;
  assert.deepEqual(
    p.windows.map((w) => [w.name, w.slot]),
    [
      ['small_tx_10m', base],
      ['pay_acct_merchant_1h', base + 1],
      ['spend_24h', base + 2],
      ['merchants_1h', base + 3],
      ['round_accounts_merchant_24h', base + 4],
      ['peak_1d', base + 5],
    ],
  );
  assert.deepEqual(
    p.derived.map((d) => [d.name, d.type, d.slot]),
    [
      ['ratio', 'number', base + 6],
      ['burst', 'boolean', base + 7],
    ],
  );
  assert.equal(p.numSlots, base + 8);
  assert.equal(p.strSlots, CAT.strSlots);
});

test('window declarations become WindowFeatures', () => {
  const p = compile(POLICY);
  const s = (n: string) => CAT.lookup(n)?.slot;
  const w = Object.fromEntries(p.windows.map((x) => [x.name, x]));
  assert.deepEqual(
    { agg: w.small_tx_10m.agg, valueSlot: w.small_tx_10m.valueSlot, keySlots: w.small_tx_10m.keySlots, keyNames: w.small_tx_10m.keyNames, lengthMs: w.small_tx_10m.lengthMs, buckets: w.small_tx_10m.buckets, line: w.small_tx_10m.line },
    { agg: 'count', valueSlot: -1, keySlots: [s('account')], keyNames: ['account'], lengthMs: 600_000, buckets: 12, line: 8 },
  );
  assert.equal(typeof w.small_tx_10m.filter, 'function');
  assert.deepEqual(w.pay_acct_merchant_1h.keyNames, ['account', 'merchant']);
  assert.deepEqual(w.pay_acct_merchant_1h.keySlots, [s('account'), s('merchant')]);
  assert.equal(w.pay_acct_merchant_1h.filter, null);
  assert.deepEqual([w.spend_24h.agg, w.spend_24h.valueSlot, w.spend_24h.buckets, w.spend_24h.lengthMs], ['sum', s('amount'), 24, 86_400_000]);
  assert.deepEqual([w.merchants_1h.agg, w.merchants_1h.valueSlot], ['distinct', s('merchant')]);
  assert.deepEqual([w.round_accounts_merchant_24h.valueSlot, w.round_accounts_merchant_24h.keyNames], [s('account'), ['merchant']]);
  assert.deepEqual([w.peak_1d.agg, w.peak_1d.buckets], ['max', 120]);
});

test('rules, reasons, settings and warnings', () => {
  const p = compile(POLICY);
  assert.equal(p.name, 'test');
  assert.deepEqual(
    p.rules.map((r) => [r.name, r.reason, r.outcome, r.points, r.file, r.line]),
    [
      ['SMALL_PAYMENT_BURST', 'SMALL_PAYMENT_BURST', 'review', 30, 'p.fk', 16],
      ['SPEND', 'HIGH_SPEND', null, -5, 'p.fk', 23],
      ['ROUND', 'ROUND', 'decline', 0, 'p.fk', 28],
    ],
  );
  assert.equal(p.rules[0].description, 'Five or more payments under ¥50 from one account within ten minutes');
  assert.deepEqual(p.thresholds, { review: 30, challenge: 55, decline: 85 });
  assert.equal(p.scoreScale, 40);
  assert.deepEqual(p.warnings.map((d) => d.code), ['FKR601']);
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.rules));
});

test('defaults: thresholds 40/60/80, scale 50, 12 buckets', () => {
  const p = compile('feature c = count by account over 1h\nrule A\n  when c > 1\n  score 1');
  assert.deepEqual(p.thresholds, { review: 40, challenge: 60, decline: 80 });
  assert.equal(p.scoreScale, 50);
  assert.equal(p.windows[0].buckets, 12);
});

test('a policy may span files: features declared in any file, duplicates named with both places', () => {
  const files = [
    { file: 'a.fk', text: 'rule A\n  when c > 1 and d\n  score 1' },
    { file: 'b.fk', text: 'feature c = count by account over 1h\nfeature d = c > 5' },
  ];
  const p = compilePolicy(files, CAT, 'multi');
  assert.equal(p.rules[0].file, 'a.fk');
  assert.deepEqual(p.windows.map((w) => w.name), ['c']);
  const diags = checkPolicy([...files, { file: 'c.fk', text: 'feature c = count by merchant over 1h\nrule A\n  when amount > 1\n  score 1' }], CAT);
  assert.deepEqual(
    diags.map((d) => [d.file, d.line, d.code]),
    [
      ['c.fk', 1, 'FKR502'],
      ['c.fk', 2, 'FKR501'],
    ],
  );
  assert.match(diags[0].message, /b\.fk:1:9/);
  assert.match(diags[1].message, /a\.fk:1:6/);
});

test('derived features may use windows declared anywhere, but only derived features declared before them', () => {
  const ok = compile('feature r = w / 2\nfeature w = count by account over 1h\nrule A\n  when r > 1\n  score 1');
  assert.equal(ok.derived[0].name, 'r');
  assert.throws(() => compile('feature r = s + 1\nfeature s = amount * 2\nrule A\n  when r > s\n  score 1'), PolicyCompileError);
});

test('a policy with 1,000 rules compiles in under a second', () => {
  const lines: string[] = ['feature c = count by account over 10m where amount < ¥50', 'feature r = amount / mean_amount_30d'];
  for (let i = 0; i < 1000; i++) {
    lines.push(
      `rule R${i}`,
      `  description "rule ${i}"`,
      `  when (c >= ${i % 9} and amount > ¥${i}) or (channel in ["qr", "app", "c${i}"] and not is_night and r > ${i % 7}.5)`,
      `  outcome ${['review', 'challenge', 'decline'][i % 3]}`,
      `  score ${i % 50}`,
    );
  }
  const text = lines.join('\n');
  const t0 = performance.now();
  const p = compile(text);
  const ms = performance.now() - t0;
  assert.equal(p.rules.length, 1000);
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
});

test('loadPolicyDir reads every *.fk file of a folder, sorted, and names the policy after it', () => {
  const root = mkdtempSync(join(tmpdir(), 'fk-'));
  try {
    const dir = join(root, 'default');
    mkdirSync(dir);
    writeFileSync(join(dir, '20-rules.fk'), 'rule A\n  when c > 1\n  score 1\n');
    writeFileSync(join(dir, '10-features.fk'), 'feature c = count by account over 1h\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a policy');
    const p = loadPolicyDir(dir, CAT);
    assert.equal(p.name, 'default');
    assert.equal(p.rules[0].file, join(dir, '20-rules.fk'));
    assert.equal(loadPolicyDir(dir, CAT, 'x').name, 'x');

    const empty = join(root, 'empty');
    mkdirSync(empty);
    assert.throws(() => loadPolicyDir(empty, CAT), (e: unknown) => e instanceof ConfigError && /no \*\.fk files/.test(e.message));
    assert.throws(() => loadPolicyDir(join(root, 'missing'), CAT), (e: unknown) => e instanceof ConfigError && /not found/.test(e.message));

    writeFileSync(join(dir, '30-bad.fk'), 'rule B\n  when nope > 1\n  score 1\n');
    assert.throws(
      () => loadPolicyDir(dir, CAT),
      (e: unknown) => e instanceof PolicyCompileError && e.diagnostics[0].file === join(dir, '30-bad.fk') && e.diagnostics[0].code === 'FKR301',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('known(known(…)) and (a == b) == … compile and run in time linear in their nesting (found by test/fuzz)', async () => {
  const { vec } = await import('./helpers.js');
  const { evaluateRules } = await import('../../src/rules/evaluate.js');
  const n = 150; // was 2^n closures at compile time and 2^n calls per payment
  const text =
    `rule K\n  when ${'known('.repeat(n)}amount > 1${')'.repeat(n)}\n  score 1\n` +
    `rule E\n  when ${'('.repeat(n)}is_night${' == is_night)'.repeat(n)}\n  score 1\n`;
  const started = performance.now();
  const p = compile(text);
  const hits = new Int32Array(2);
  // n `== is_night` on is_night = 1: each level is 1 == 1 = 1, so the rule fires; unknown is_night: it does not
  assert.equal(evaluateRules(p, vec(p, { amount: 5, is_night: 1 }), hits), 2);
  assert.equal(evaluateRules(p, vec(p, {}), hits), 1);
  assert.equal(hits[0], 0);
  assert.ok(performance.now() - started < 2000, `${(performance.now() - started).toFixed(0)} ms`);
});
