// Rule actions in the engine: a firing rule's action counts from the very next decision, expires by
// event time, is capped per rule and overall per hour, is named in the decision, and a replay of the
// journal takes none itself; the checker refuses actions a rule cannot take, each with its code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import type { Decision } from '../../src/engine/decision.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { checkPolicy, compilePolicy } from '../../src/rules/compile.js';
import { answerOf } from '../../src/log/recovery.js';
import { baseWorld, DAY, FREEZE_HUGE, HOUR, MIN, tx } from './world.js';
import { defaultFiles } from '../policy/helpers.js';

const pack = Object.entries(defaultFiles()).map(([file, text]) => ({ file, text }));

function policyWith(text: string) {
  return compilePolicy([...pack, { file: '90-auto.fk', text }], BUILTINS, 'auto@v1');
}


function engineWith(text: string): { engine: Engine; decide: (e: Record<string, unknown>) => Decision } {
  const engine = new Engine(policyWith(text));
  for (const e of baseWorld()) engine.apply(parseEvent(e));
  return { engine, decide: (e) => engine.apply(parseEvent(e)) as Decision };
}

test('freeze_account: the payment is declined by its outcome, the next one ACCOUNT_FROZEN, and the freeze ends 24h later by event time', () => {
  const { engine, decide } = engineWith(FREEZE_HUGE);
  const huge = decide(tx(10 * HOUR, { amount: 950_000 }));
  assert.equal(huge.outcome, 'decline');
  assert.deepEqual(huge.reasons.map((r) => r.code).includes('ACCOUNT_FROZEN'), false, 'the firing payment is decided by its own outcome');
  assert.deepEqual(huge.actions, [{ rule: 'AUTO_FREEZE_HUGE', action: 'freeze_account', target: 'A1', until: '2026-11-11T10:00:00+08:00' }]);
  const next = decide(tx(10 * HOUR + MIN));
  assert.equal(next.outcome, 'decline');
  assert.equal(next.reasons[0].code, 'ACCOUNT_FROZEN');
  assert.equal(next.actions, undefined, 'a frozen account is not frozen again for a small payment');
  const later = decide(tx(10 * HOUR + DAY + MIN));
  assert.ok(!later.reasons.some((r) => r.code === 'ACCOUNT_FROZEN'), JSON.stringify(later));
  assert.equal(engine.account('A1')?.restriction?.frozenUntil, Date.parse('2026-11-11T10:00:00+08:00'));
});

test('a second huge payment while frozen longer takes no action; one past the end freezes again', () => {
  const { decide } = engineWith(FREEZE_HUGE);
  decide(tx(10 * HOUR, { amount: 950_000 }));
  assert.equal(decide(tx(11 * HOUR, { amount: 950_000 })).actions?.[0].until, '2026-11-11T11:00:00+08:00', 'a later end extends the freeze');
  assert.equal(decide(tx(11 * HOUR, { amount: 950_000 })).actions, undefined, 'the same end changes nothing');
});

test('lower_limit to a share of the registered limit, require_step_up, and list additions read by in_list() at once', () => {
  const { engine, decide } = engineWith(`
rule AUTO_SQUEEZE
  when amount >= ¥5000 and amount < ¥9000
  outcome review
  action lower_limit to 50% for 7d
  action require_step_up for 2d
  action add_to_list device "watch_devices" for 30d

rule WATCHED_DEVICE
  when in_list(device, "watch_devices")
  score 1
  reason WATCHED
`);
  const d = decide(tx(10 * HOUR, { amount: 600_000, deviceId: 'D9' }));
  assert.deepEqual(d.actions?.map((a) => [a.action, a.target, a.limit ?? null, a.list ?? null]), [
    ['lower_limit', 'A1', 1_000_000, null],
    ['require_step_up', 'A1', null, null],
    ['add_to_list', 'D9', null, 'watch_devices'],
  ]);
  const r = engine.account('A1')?.restriction;
  assert.equal(r?.limitCap, 1_000_000);
  const next = decide(tx(10 * HOUR + MIN, { deviceId: 'D9' }));
  assert.equal(next.outcome, 'challenge');
  assert.ok(next.reasons.some((x) => x.code === 'STEP_UP_REQUIRED'));
  assert.ok(next.reasons.some((x) => x.code === 'WATCHED'), 'the device is on the list from the very next decision');
  engine.applyInput({ kind: 'rule_action_stored', list: { name: 'watch_devices', value: 'D9' } });
  assert.ok(!decide(tx(10 * HOUR + 2 * MIN, { deviceId: 'D9' })).reasons.some((x) => x.code === 'WATCHED'), 'once stored, the list store alone holds it');
});

test('an outside change of the account keeps a rule restriction the recorder has not stored yet', () => {
  const { engine, decide } = engineWith(FREEZE_HUGE);
  const huge = decide(tx(10 * HOUR, { amount: 950_000 }));
  engine.applyInput({ kind: 'restrict_account', accountId: 'A1', restriction: null });
  assert.equal(decide(tx(10 * HOUR + MIN)).reasons[0].code, 'ACCOUNT_FROZEN');
  engine.applyInput({ kind: 'rule_action_stored', account: { id: 'A1', txId: 'other' } });
  engine.applyInput({ kind: 'restrict_account', accountId: 'A1', restriction: null });
  assert.equal(decide(tx(10 * HOUR + MIN)).reasons[0].code, 'ACCOUNT_FROZEN', "another payment's record leaves this one pending");
  engine.applyInput({ kind: 'rule_action_stored', account: { id: 'A1', txId: huge.txId } });
  engine.applyInput({ kind: 'restrict_account', accountId: 'A1', restriction: null });
  assert.notEqual(decide(tx(10 * HOUR + 2 * MIN)).reasons[0]?.code, 'ACCOUNT_FROZEN');
});

test('caps: past the rule cap an hour, actions are named capped and not taken; the next hour they act again', () => {
  const { engine, decide } = engineWith(`setting actions.rule_cap_per_hour = 2\n${FREEZE_HUGE}`);
  const ids = ['B1', 'B2', 'B3'];
  for (const id of [...ids, 'B4']) engine.apply(parseEvent({ type: 'account', ts: '2026-11-01T00:00:00+08:00', accountId: id, creditLimit: 2_000_000 }));
  const taken = ids.map((id, i) => decide(tx(10 * HOUR + i * MIN, { accountId: id, amount: 950_000 })).actions?.[0]);
  assert.deepEqual(taken.map((a) => a?.capped ?? false), [false, false, true]);
  assert.equal(engine.account('B3')?.restriction ?? null, null, 'a capped action is not taken');
  assert.equal(decide(tx(11 * HOUR, { accountId: 'B4', amount: 950_000 })).actions?.[0].capped, undefined);
});

test('a replay takes no action itself and counts the journaled ones against the caps', () => {
  const policy = policyWith(`setting actions.rule_cap_per_hour = 1\n${FREEZE_HUGE}`);
  const engine = new Engine(policy);
  for (const e of baseWorld()) engine.apply(parseEvent(e));
  const live = engine.apply(parseEvent(tx(10 * HOUR, { amount: 950_000 }))) as Decision;
  const journaled = answerOf({ seq: 1, type: 'transaction', txId: live.txId, event: '{}', decision: JSON.stringify(live), receivedAt: 0 });
  assert.deepEqual(journaled?.actions, [{ rule: 'AUTO_FREEZE_HUGE', capped: false }]);
  const replica = new Engine(policy);
  for (const e of baseWorld()) replica.apply(parseEvent(e));
  const again = replica.apply(parseEvent(tx(10 * HOUR, { amount: 950_000, id: 'r1' })), journaled?.outcome, journaled?.actions) as Decision;
  assert.equal(again.actions, undefined);
  assert.equal(replica.account('A1')?.restriction ?? null, null, 'the stored record, not the replay, sets it');
  replica.apply(parseEvent({ type: 'account', ts: '2026-11-01T00:00:00+08:00', accountId: 'C1', creditLimit: 2_000_000 }));
  const capped = replica.apply(parseEvent(tx(10 * HOUR + MIN, { accountId: 'C1', amount: 950_000 }))) as Decision;
  assert.equal(capped.actions?.[0].capped, true, 'the journaled action used up the hour');
});

test('the checker refuses what a rule cannot do, each with its code', () => {
  const codes = (text: string): string[] => checkPolicy([...pack, { file: '90-auto.fk', text }], BUILTINS).filter((d) => d.severity === 'error').map((d) => d.code);
  assert.deepEqual(codes('rule A\n  when amount > ¥1\n  outcome decline\n  action freez_account for 1d\n'), ['FKR513']);
  assert.deepEqual(codes('rule A\n  when amount > ¥1\n  score 10\n  action require_step_up for 1d\n'), ['FKR514']);
  assert.deepEqual(codes('rule A\n  when amount > ¥1\n  outcome allow\n  action hold_settlement\n'), ['FKR514']);
  assert.deepEqual(codes('rule A\n  when amount > ¥1\n  outcome review\n  action freeze_account for 1d\n'), ['FKR515']);
  assert.deepEqual(codes('rule A\n  when amount > ¥1\n  outcome review\n  action lower_limit to 150%\n'), ['FKR516']);
  assert.deepEqual(codes('rule A\n  when amount > ¥1\n  outcome review\n  action lower_limit\n'), ['FKR516']);
  assert.deepEqual(codes('rule A\n  when amount > ¥1\n  outcome review\n  action add_to_list wallet "x"\n'), ['FKR516']);
  assert.deepEqual(codes('rule A\n  when amount > ¥1\n  outcome decline\n  action freeze_account for 400d\n'), ['FKR516']);
  assert.deepEqual(codes('setting actions.cap_per_hour = 2.5\n'), ['FKR509']);
  assert.deepEqual(codes('rule A\n  when amount > ¥1\n  outcome review\n  action hold_settlement for 30d\n  action add_to_list merchant "watch_merchants"\n  action lower_limit to ¥2000\n'), []);
});
