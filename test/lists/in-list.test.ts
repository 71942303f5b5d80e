// in_list(x, "name") in the rule language: three-valued like every other condition, read through
// the vector's lists at its event time (never captured at compile time), and reported by the policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, compile, vec } from '../rules/helpers.js';
import { evaluateRules } from '../../src/rules/evaluate.js';
import { ListSet } from '../../src/lists/list-set.js';
import type { FeatureVector } from '../../src/features/vector.js';
import type { PolicyBuild } from '../../src/rules/compile.js';

const NOW = Date.UTC(2026, 10, 26, 8, 0, 0);

function lists(): ListSet {
  const s = new ListSet();
  s.add('block_devices', { value: 'dev-bad', reason: 'stolen' }, 'key_admin', NOW);
  s.add('block_accounts', { value: 'acc-bad', reason: 'mule', expiresAt: NOW + 60_000 }, 'key_admin', NOW);
  s.createList({ name: 'trusted_channels', kind: 'string', purpose: 'allow' }, 'key_admin', NOW);
  s.add('trusted_channels', { value: 'card', reason: 'chip and PIN' }, 'key_admin', NOW);
  return s;
}

function withLists(p: PolicyBuild, values: Record<string, string | number | boolean>, l: ListSet, t = NOW): FeatureVector {
  const v = vec(p, values);
  v.lists = l;
  v.t = t;
  return v;
}

function fires(cond: string, values: Record<string, string | number | boolean>, l: ListSet = lists(), t = NOW): boolean {
  const p = compile(`rule R\n  when ${cond}\n  score 1`);
  return evaluateRules(p, withLists(p, values, l, t), new Int32Array(1)) === 1;
}

test('in_list is true for a value on the list, false for one off it, and never for an unknown value', () => {
  const rows: [string, Record<string, string>, boolean][] = [
    ['in_list(device, "block_devices")', { device: 'dev-bad' }, true],
    ['in_list(device, "block_devices")', { device: 'dev-ok' }, false],
    ['in_list(device, "block_devices")', {}, false],
    ['not in_list(device, "block_devices")', { device: 'dev-ok' }, true],
    ['not in_list(device, "block_devices")', { device: 'dev-bad' }, false],
    // unknown is not false: an unknown device is not "off the list" either
    ['not in_list(device, "block_devices")', {}, false],
    ['in_list(device, "block_devices") or in_list(account, "block_accounts")', { device: 'dev-ok', account: 'acc-bad' }, true],
    ['in_list(channel, "trusted_channels") and not in_list(account, "block_accounts")', { channel: 'card', account: 'acc-ok' }, true],
    ['in_list(channel, "trusted_channels") and not in_list(account, "block_accounts")', { channel: 'card' }, false],
    ['in_list(device, "no_such_list")', { device: 'dev-bad' }, false],
    ['in_list("dev-bad", "block_devices")', {}, true],
    ['in_list("", "block_devices")', {}, false],
  ];
  for (const [cond, values, want] of rows) assert.equal(fires(cond, values), want, `${cond} on ${JSON.stringify(values)}`);
});

test('an expiring entry counts up to its expiry in event time, and not from it on', () => {
  const l = lists();
  assert.equal(fires('in_list(account, "block_accounts")', { account: 'acc-bad' }, l, NOW + 59_999), true);
  assert.equal(fires('in_list(account, "block_accounts")', { account: 'acc-bad' }, l, NOW + 60_000), false);
  assert.equal(fires('not in_list(account, "block_accounts")', { account: 'acc-bad' }, l, NOW + 60_000), true);
});

test('the compiled policy reads whatever lists the vector carries: one policy, two list sets, changes seen at once', () => {
  const p = compile('rule R\n  when in_list(device, "block_devices")\n  outcome decline');
  const hits = new Int32Array(1);
  const a = lists();
  const b = new ListSet();
  assert.equal(evaluateRules(p, withLists(p, { device: 'dev-bad' }, a), hits), 1);
  assert.equal(evaluateRules(p, withLists(p, { device: 'dev-bad' }, b), hits), 0);
  b.add('block_devices', { value: 'dev-bad', reason: 'now here too' }, 'k', NOW);
  assert.equal(evaluateRules(p, withLists(p, { device: 'dev-bad' }, b), hits), 1);
  a.remove('block_devices', 'dev-bad');
  assert.equal(evaluateRules(p, withLists(p, { device: 'dev-bad' }, a), hits), 0);
  // a vector no engine gave lists to: every list is empty
  assert.equal(evaluateRules(p, vec(p, { device: 'dev-bad' }), hits), 0);
});

test('in_list works in derived features and window filters too', () => {
  const p = compile(`
feature blocked = in_list(device, "block_devices")
feature c = count by account over 1h where in_list(device, "block_devices")
rule R
  when blocked and c >= 0
  score 1`);
  assert.equal(p.derived[0].type, 'boolean');
  const filter = p.windows[0].filter;
  assert.ok(filter);
  const v = withLists(p, { device: 'dev-bad', account: 'a' }, lists());
  assert.equal(filter(v), true);
  assert.equal(p.derived[0].compute(v), 1);
  assert.equal(p.derived[0].compute(withLists(p, { device: 'x' }, lists())), 0);
  assert.ok(Number.isNaN(p.derived[0].compute(withLists(p, {}, lists()))));
});

test('the policy names the lists it reads, each once, and where each is used', () => {
  const p = compile(`
rule A
  when in_list(device, "block_devices") or in_list(merchant, "block_merchants")
  outcome decline
rule B
  when in_list(device, "block_devices") and amount > 5
  score 10
rule C
  when in_list(channel, "trusted_channels")
  outcome allow`);
  assert.deepEqual(p.lists, ['block_devices', 'block_merchants', 'trusted_channels']);
  assert.deepEqual(
    p.listUses.map((u) => [u.list, u.feature, u.line]),
    [
      ['block_devices', 'device', 3],
      ['block_merchants', 'merchant', 3],
      ['block_devices', 'device', 6],
      ['trusted_channels', 'channel', 9],
    ],
  );
  assert.ok(Object.isFrozen(p.lists) && Object.isFrozen(p.listUses));
  assert.deepEqual(compile('rule A\n  when amount > 1\n  score 1').lists, []);
  assert.deepEqual(lists().problems(p.listUses), []);
});

test('diagnostics: list name must be a literal of the right shape, the value a string', () => {
  const codes = (cond: string): string[] => check(`rule A\n  when ${cond}\n  score 1`).map((d) => d.code);
  assert.deepEqual(codes('in_list(device, "block_devices")'), []);
  assert.deepEqual(codes('in_list(device, channel)'), ['FKR408']);
  assert.deepEqual(codes('in_list(device, "Block Devices")'), ['FKR307']);
  assert.deepEqual(codes('in_list(device, "")'), ['FKR307']);
  assert.deepEqual(codes('in_list(amount, "block_devices")'), ['FKR403']);
  assert.deepEqual(codes('in_list(is_night, "block_devices")'), ['FKR403']);
  assert.deepEqual(codes('in_list(device)'), ['FKR303']);
  assert.deepEqual(codes('in_list(device, "a", "b")'), ['FKR303']);
  assert.deepEqual(codes('in_list(devcie, "block_devices")'), ['FKR301']);
  assert.deepEqual(codes('in_list(device, "block_devices") > 1'), ['FKR401']);
  assert.deepEqual(check('rule A\n  when amount > 1\n  outcome allowed').map((d) => d.code), ['FKR506']);
  assert.match(check('rule A\n  when amount > 1\n  outcome allowed')[0].message, /or allow/);
});
