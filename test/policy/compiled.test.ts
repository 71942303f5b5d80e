// Versions and incident overlays compiled together: an overlay's settings override the version's
// (where two plain files would clash), overlays hold rules and settings only, diagnostics point into
// `modes/<name>.fk`, and the compiled policy is named the way decisions show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyCompileError } from '../../src/errors.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { CompiledCache, compileVersion, effectiveName, runnableKey } from '../../src/policy/compiled.js';
import { checkPolicy, compilePolicy } from '../../src/rules/compile.js';

const VERSION = {
  name: 'v7',
  sources: [
    {
      file: '00-settings.fk',
      text: 'setting score.review = 40\nsetting score.challenge = 60\nfeature n_1h = count by account over 1h\nrule BURST\n  when n_1h > 5\n  score 30\n',
    },
  ],
};

function diagnostics(fn: () => unknown): PolicyCompileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PolicyCompileError) return e;
    throw e;
  }
  assert.fail('expected a PolicyCompileError');
}

test('an overlay compiles on top of the version: its settings win, its rules join, the name says so', () => {
  const overlay = { name: 'remote-wave', rules: 'setting score.review = 20\nrule INCIDENT_REMOTE\n  when is_remote\n  outcome challenge\n' };
  const p = compileVersion(VERSION, [overlay]);
  assert.equal(p.name, 'v7+incident:remote-wave');
  assert.equal(p.thresholds.review, 20);
  assert.equal(p.thresholds.challenge, 60, 'settings the overlay leaves alone keep the version\'s value');
  assert.deepEqual(p.rules.map((r) => r.name), ['BURST', 'INCIDENT_REMOTE']);
  assert.equal(p.rules[1].file, 'modes/remote-wave.fk');
  // the same texts as two plain files clash: the override is the compiler option, not a file order
  const plain = checkPolicy([...VERSION.sources, { file: 'modes/remote-wave.fk', text: overlay.rules }], BUILTINS);
  assert.ok(plain.some((d) => d.code === 'FKR508'));
  const alone = compileVersion(VERSION);
  assert.equal(alone.name, 'v7');
  assert.equal(alone.thresholds.review, 40);
  assert.equal(effectiveName('v7', [overlay, { name: 'b', rules: '' }]), 'v7+incident:remote-wave+incident:b');
});

test('two overlays: the later one\'s settings clash with the earlier one\'s, each overrides the version', () => {
  const a = { name: 'a', rules: 'setting score.review = 30\n' };
  const b = { name: 'b', rules: 'setting score.challenge = 50\n' };
  const p = compileVersion(VERSION, [a, b]);
  assert.deepEqual([p.thresholds.review, p.thresholds.challenge], [30, 50]);
  const c = { name: 'c', rules: 'setting score.review = 25\n' };
  const e = diagnostics(() => compileVersion(VERSION, [a, c]));
  assert.equal(e.diagnostics[0].code, 'FKR508');
  assert.equal(e.diagnostics[0].file, 'modes/c.fk');
});

test('overlay refusals: features, nothing at all, unknown names (positioned in the overlay), thresholds out of order', () => {
  const feature = diagnostics(() => compileVersion(VERSION, [{ name: 'x', rules: 'rule R\n  when amount > 1\n  score 1\nfeature f = amount * 2\n' }]));
  assert.deepEqual(feature.diagnostics.map((d) => [d.code, d.file, d.line]), [['FKP101', 'modes/x.fk', 4]]);
  const empty = diagnostics(() => compileVersion(VERSION, [{ name: 'x', rules: '# nothing\n' }]));
  assert.equal(empty.diagnostics[0].code, 'FKP102');
  const typo = diagnostics(() => compileVersion(VERSION, [{ name: 'x', rules: 'rule R\n  when n_1hh > 1\n  outcome review\n' }]));
  assert.deepEqual([typo.diagnostics[0].code, typo.diagnostics[0].file, typo.diagnostics[0].line, typo.diagnostics[0].column], ['FKR301', 'modes/x.fk', 2, 8]);
  const order = diagnostics(() => compileVersion(VERSION, [{ name: 'x', rules: 'setting score.review = 70\n' }]));
  assert.equal(order.diagnostics[0].code, 'FKR510', 'review 70 above the version\'s challenge 60');
  // an overlay may read the version's features
  assert.equal(compileVersion(VERSION, [{ name: 'x', rules: 'rule R\n  when n_1h > 2\n  outcome review\n' }]).rules.length, 2);
});

test('overrideFiles leaves compiles without it unchanged, and the cache keeps pinned entries', () => {
  const p = compilePolicy(VERSION.sources, BUILTINS, 'x', { overrideFiles: ['none.fk'] });
  assert.equal(p.thresholds.review, 40);
  const cache = new CompiledCache(2);
  const r = { policy: p, model: null };
  cache.pin([runnableKey(1, [])]);
  cache.set(runnableKey(1, []), r);
  cache.set(runnableKey(2, []), r);
  cache.set(runnableKey(3, []), r);
  cache.set(runnableKey(4, []), r);
  assert.ok(cache.get(runnableKey(1, [])) !== undefined, 'pinned');
  assert.equal(cache.get(runnableKey(2, [])), undefined, 'evicted');
  assert.ok(cache.get(runnableKey(4, [])) !== undefined);
  assert.notEqual(runnableKey(1, [{ name: 'a', rules: 'x' }]), runnableKey(1, [{ name: 'a', rules: 'y' }]), 'an edited overlay is another entry');
});
