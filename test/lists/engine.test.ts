// Lists in the engine: a change counts from the very next decision, expiry follows event time, a
// shared ListSet serves every engine and survives a policy swap, and `allow` holds with a model too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { toModelDecision } from '../../src/engine/decision.js';
import { Engine } from '../../src/engine/engine.js';
import { ListSet } from '../../src/lists/list-set.js';
import { ListManager } from '../../src/lists/manager.js';
import { compilePolicy } from '../../src/rules/compile.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { DAY0, HOUR, baseWorld, defaultPolicy, tx } from '../engine/world.js';

const T = 10 * HOUR;

function engineWithWorld(lists: ListSet = new ListSet()): Engine {
  const e = new Engine(defaultPolicy(), { lists });
  for (const ev of baseWorld()) e.apply(parseEvent(ev));
  return e;
}

const pay = (e: Engine, ms: number, extra: Record<string, unknown> = {}) => {
  const d = e.apply(parseEvent(tx(ms, extra)));
  if (d === null) throw new Error('no decision');
  return d;
};

test('a device put on block_devices declines the very next payment; taking it off restores approval', async () => {
  const set = new ListSet();
  const e = engineWithWorld(set);
  const lists = new ListManager(set, null);
  assert.equal(pay(e, T, { deviceId: 'D1' }).outcome, 'approve');
  await lists.addEntry('block_devices', { value: 'D1', reason: 'reported stolen by the account holder' }, { actor: 'key_admin' });
  const blocked = pay(e, T + 60_000, { deviceId: 'D1' });
  assert.equal(blocked.outcome, 'decline');
  assert.equal(blocked.reasons[0].code, 'LIST_BLOCKED_DEVICE');
  await lists.removeEntry('block_devices', 'D1', { actor: 'key_admin' });
  const again = pay(e, T + 120_000, { deviceId: 'D1' });
  assert.equal(again.outcome, 'approve');
  assert.ok(!again.reasons.some((r) => r.code === 'LIST_BLOCKED_DEVICE'));
});

test('an entry expiring at a given time blocks payments before it and not those from it on (event time)', () => {
  const lists = new ListSet();
  const wallNow = DAY0 - 1000 * HOUR; // entries are stamped in wall time; only expiry is compared with event time
  lists.add('block_accounts', { value: 'A1', reason: 'under investigation for 2 hours', expiresAt: DAY0 + T + 2 * HOUR }, 'key_admin', wallNow);
  const e = engineWithWorld(lists);
  assert.equal(pay(e, T + HOUR).outcome, 'decline');
  assert.equal(pay(e, T + 2 * HOUR - 1000).outcome, 'decline');
  assert.equal(pay(e, T + 2 * HOUR).outcome, 'approve');
});

test('one ListSet shared by two engines: a change reaches both at once', () => {
  const shared = new ListSet();
  const a = engineWithWorld(shared);
  const b = engineWithWorld(shared);
  shared.add('block_merchants', { value: 'M1', reason: 'cash-out merchant' }, 'key_admin', 0);
  assert.equal(pay(a, T).outcome, 'decline');
  assert.equal(pay(b, T).outcome, 'decline');
  const own = new Engine(defaultPolicy());
  for (const ev of baseWorld()) own.apply(parseEvent(ev));
  assert.equal(pay(own, T).outcome, 'approve', 'an engine given no lists has none on them');
});

test('lists survive a policy swap: the new policy reads the same lists from its first decision', () => {
  const set = new ListSet();
  const e = engineWithWorld(set);
  set.add('watch_accounts', { value: 'A1', reason: 'complaint pattern' }, 'key_admin', 0);
  assert.equal(pay(e, T).outcome, 'review');
  const p2 = compilePolicy([{ file: 'p2.fk', text: 'rule WATCHED\n  when in_list(account, "watch_accounts")\n  outcome challenge' }], BUILTINS, 'p2');
  e.replacePolicy(p2);
  assert.equal(pay(e, T + HOUR).outcome, 'challenge');
  set.remove('watch_accounts', 'A1');
  assert.equal(pay(e, T + 2 * HOUR).outcome, 'approve');
});

test('with a model: allow turns the probability-driven review into approve, never a decline', () => {
  const p = compilePolicy(
    [{ file: 'p.fk', text: 'setting score.review = 40\nsetting score.decline = 80\nrule OK\n  when in_list(account, "allow_accounts")\n  outcome allow\nrule NO\n  when in_list(account, "block_accounts")\n  outcome decline' }],
    BUILTINS,
    'p',
  );
  const hits = new Int32Array(p.rules.length);
  hits[0] = 0; // OK matched
  assert.equal(toModelDecision('t1', p, hits, 0, 0.5).outcome, 'review');
  assert.equal(toModelDecision('t1', p, hits, 1, 0.5).outcome, 'approve');
  assert.equal(toModelDecision('t1', p, hits, 1, 0.95).outcome, 'decline', "the score's decline stands");
  hits[1] = 1; // NO matched too
  const d = toModelDecision('t1', p, hits, 2, 0.01);
  assert.equal(d.outcome, 'decline');
  assert.deepEqual(d.reasons.map((r) => r.code), ['NO', 'OK']);
});
