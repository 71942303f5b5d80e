// The text of the cluster's control entries (wiring/cluster/policy-control.ts): what every node reads
// back must be exactly what the owner placed, including the numbers JSON cannot carry as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountRestriction } from '../../../src/features/account-restriction.js';
import { controlText, inputControlText, parseControl, parseInputControl } from '../../../src/wiring/cluster/policy-control.js';

test('an input entry keeps "no expiry" (Infinity) and "none" (NaN) apart through its text', () => {
  const r = new AccountRestriction();
  r.frozenUntil = Infinity;
  r.limitCap = 200_000;
  r.limitUntil = 1_800_000_000_000;
  const text = inputControlText({ control: 'input', source: 'account_action', ref: 7, input: { kind: 'restrict_account', accountId: 'A1', restriction: r } });
  const back = parseInputControl(text, 12);
  assert.equal(back.ref, 7);
  assert.ok(back.input.kind === 'restrict_account');
  assert.equal(back.input.accountId, 'A1');
  assert.equal(back.input.restriction?.frozenUntil, Infinity);
  assert.ok(Number.isNaN(back.input.restriction?.stepUpUntil));
  assert.equal(back.input.restriction?.limitCap, 200_000);
  assert.equal(back.input.restriction?.limitUntil, 1_800_000_000_000);
  const lifted = parseInputControl(inputControlText({ control: 'input', source: 'account_action', ref: 8, input: { kind: 'restrict_account', accountId: 'A1', restriction: null } }), 13);
  assert.ok(lifted.input.kind === 'restrict_account' && lifted.input.restriction === null);
});

test('merchant inputs keep their ids and "no expiry" through their text', () => {
  const hold = parseInputControl(inputControlText({ control: 'input', source: 'merchant_action', ref: 3, input: { kind: 'hold_settlement', merchantId: 'M1', control: { id: 3, expiresAt: Infinity } } }), 20);
  assert.deepEqual(hold, { control: 'input', source: 'merchant_action', ref: 3, input: { kind: 'hold_settlement', merchantId: 'M1', control: { id: 3, expiresAt: Infinity } } });
  const suspend = parseInputControl(inputControlText({ control: 'input', source: 'merchant_action', ref: 4, input: { kind: 'suspend_terminal', terminalId: 'T1', control: { id: 4, expiresAt: 1_900_000_000_000 } } }), 21);
  assert.deepEqual(suspend.input, { kind: 'suspend_terminal', terminalId: 'T1', control: { id: 4, expiresAt: 1_900_000_000_000 } });
  const release = parseInputControl(inputControlText({ control: 'input', source: 'merchant_release', ref: 4, input: { kind: 'release_terminal', terminalId: 'T1', id: 4 } }), 22);
  assert.deepEqual(release.input, { kind: 'release_terminal', terminalId: 'T1', id: 4 });
  assert.throws(() => parseInputControl('{"control":"input","source":"merchant_action","ref":1,"input":{"kind":"hold_settlement","merchantId":"M"}}', 23), /journal entry 23 is an input entry this version of fengkong does not know/);
});

test('control entries that are not what they claim are refused, naming the entry', () => {
  assert.throws(() => parseInputControl('{"control":"input","source":"account_action","ref":1,"input":{"kind":"restrict_account","accountId":"A","restriction":{"frozenUntil":"soon"}}}', 5), /journal entry 5: a restriction field is "soon"/);
  assert.throws(() => parseInputControl('{"control":"input","source":"elsewhere","ref":1}', 6), /journal entry 6 is an input entry this version of fengkong does not know/);
  assert.throws(() => parseControl('not json', 7), /journal entry 7 is a control entry that does not parse/);
  assert.throws(() => parseControl('{"control":"policy","version":"2"}', 8), /journal entry 8 is not a control entry this version of fengkong knows/);
  const ok = parseControl(controlText({ control: 'policy', publication: 3, version: 2, overlays: [{ name: 'm', rules: 'rule X\n  when amount > 0\n  outcome review\n' }] }), 9);
  assert.deepEqual(ok, { control: 'policy', publication: 3, version: 2, overlays: [{ name: 'm', rules: 'rule X\n  when amount > 0\n  outcome review\n' }] });
});
