// A backtest replays the operators' actions where they took effect and decides with the store's lists:
// on a real server with the default policy, an account is frozen, a terminal suspended and a device
// blocked between payments (live declines what follows), then a draft that is the live policy
// unchanged is backtested over the whole stream. It must agree with live on every payment — a freeze,
// a suspension or a block is not the draft's change — and say how many action steps it applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, baseWorld, DAY, DAY0, HOUR, tx } from '../engine/world.js';
import { defaultFiles, draft } from '../policy/helpers.js';
import { call, feed, startTestServer } from './helpers.js';

test('a backtest of the live policy itself agrees with live across an account freeze, a terminal suspension and a blocked device', async () => {
  const s = await startTestServer();
  try {
    await feed(s.url, s.keys.admin, [account('A2'), ...baseWorld()]); // in time order: a backtest bisects by time
    let clock = 10 * HOUR;
    const pay = async (extra: Record<string, unknown> = {}): Promise<any> => {
      clock += 2 * HOUR;
      const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(clock, extra) });
      assert.equal(r.status, 200, r.text);
      return r.json;
    };
    const codes = (d: any): string[] => d.reasons.map((r: { code: string }) => r.code);
    assert.equal((await pay()).outcome, 'approve');
    const frozen = await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'freeze', reason: 'suspected takeover' } });
    assert.equal(frozen.status, 201, frozen.text);
    const d1 = await pay();
    assert.deepEqual([d1.outcome, codes(d1).includes('ACCOUNT_FROZEN')], ['decline', true]);
    assert.equal((await pay({ accountId: 'A2' })).outcome, 'approve');
    const suspended = await call(s.url, '/v1/merchants/M1/actions', { key: s.keys.admin, body: { action: 'suspend_terminal', terminalId: 'T1', reason: 'moved terminal' } });
    assert.equal(suspended.status, 201, suspended.text);
    const d2 = await pay({ accountId: 'A2' });
    assert.deepEqual([d2.outcome, codes(d2).includes('TERMINAL_SUSPENDED')], ['decline', true]);
    assert.equal((await pay({ accountId: 'A2', terminalId: 'T4', merchantId: 'M4', mcc: '5814', merchantName: '深圳小吃' })).outcome, 'approve');
    const listed = await call(s.url, '/v1/lists/block_devices/entries', { key: s.keys.admin, body: { value: 'DX', reason: 'reported stolen' } });
    assert.equal(listed.status, 201, listed.text);
    const d3 = await pay({ accountId: 'A2', deviceId: 'DX', terminalId: 'T4', merchantId: 'M4', mcc: '5814', merchantName: '深圳小吃' });
    assert.deepEqual([d3.outcome, codes(d3).includes('LIST_BLOCKED_DEVICE')], ['decline', true]);

    const v = await draft(s, s.keys.admin, defaultFiles(), 'the live policy, unchanged');
    assert.equal(v.status, 201, v.text);
    const body = { from: DAY0 - 10 * DAY, to: DAY0 + clock + DAY };
    const post = await call(s.url, `/v1/policies/${v.json.version}/backtests`, { key: s.keys.analyst, body });
    assert.equal(post.status, 202, post.text);
    let done: any;
    for (let i = 0; i < 600 && done === undefined; i++) {
      const r = await call(s.url, `/v1/policies/${v.json.version}/backtests/${post.json.backtest.id}`, { key: s.keys.analyst });
      assert.equal(r.status, 200, r.text);
      if (r.json.backtest.state !== 'queued' && r.json.backtest.state !== 'running') done = r.json;
      else await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(done?.backtest.state, 'done', JSON.stringify(done?.backtest.error));
    const r = done.report;
    assert.equal(r.run.transactions, 11, 'five days of history and six payments compared');
    assert.equal(r.run.actionsApplied, 2, 'the freeze and the suspension');
    assert.equal(r.changed.total, 0, JSON.stringify(r.changed.transactions));
    assert.equal(r.live.outcomes.decline, 3);
    assert.equal(r.draft.outcomes.decline, 3, 'the block list is the store\'s');
    assert.deepEqual([r.draft.hits.ACCOUNT_FROZEN, r.draft.hits.TERMINAL_SUSPENDED], [1, 1]);
    assert.deepEqual([r.live.hits.ACCOUNT_FROZEN, r.live.hits.TERMINAL_SUSPENDED], [1, 1]);
  } finally {
    await s.close();
  }
});
