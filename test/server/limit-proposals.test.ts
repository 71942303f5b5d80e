// The credit rating that acts, with an admin in the loop, against a real server on a clock the test
// moves: on Monday 08:00 (Asia/Shanghai) the weekly job proposes lower limits for the accounts
// graded D (70 % of the limit in force) and E (50 %), never a raise; an admin approves one — it
// becomes a lower_limit action by that admin — and rejects the rest in bulk; a decided proposal is
// not decided again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, at, baseWorld, DAY, HOUR, tx } from '../engine/world.js';
import { until } from '../helpers/webhook-receiver.js';
import { idOf } from '../policy/helpers.js';
import { call, feed, startTestServer } from './helpers.js';

interface Proposal {
  readonly id: number;
  readonly accountId: string;
  readonly grade: string;
  readonly currentLimit: number;
  readonly proposedLimit: number;
  readonly state: string;
}

test('weekly lower-limit proposals for grades D and E, approved and rejected in bulk by an admin', async () => {
  let clock = Date.parse('2026-11-16T07:00:00+08:00');
  const s = await startTestServer({ schedules: { now: () => clock, tickMs: 50 } });
  try {
    await feed(s.url, s.keys.admin, [
      ...baseWorld(),
      account('B1', { openedAt: at(-20 * DAY), creditLimit: 1_000_000 }),
      tx(HOUR, { id: 'b1-pay', accountId: 'B1', amount: 900_000 }),
      { type: 'label', ts: at(2 * HOUR), accountId: 'B1', fraud: true },
      { type: 'label', ts: at(2 * HOUR), accountId: 'A1', fraud: true },
    ]);
    const list = async (state = 'pending'): Promise<Proposal[]> => (await call(s.url, `/v1/limit-proposals?state=${state}`, { key: s.keys.analyst })).json.proposals as Proposal[];
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await list(), [], 'nothing before the slot');

    clock = Date.parse('2026-11-16T08:00:05+08:00');
    await until('the proposals', async () => (await list()).length === 2);
    const byAccount = new Map((await list()).map((p) => [p.accountId, p]));
    assert.deepEqual(
      [...byAccount.values()].map((p) => [p.accountId, p.grade, p.currentLimit, p.proposedLimit]).sort(),
      [['A1', 'D', 2_000_000, 1_400_000], ['B1', 'E', 1_000_000, 500_000]],
    );

    const b1 = byAccount.get('B1')!;
    assert.equal((await call(s.url, '/v1/limit-proposals/approve', { key: s.keys.analyst, body: { ids: [b1.id] } })).status, 403, 'admins approve');
    assert.equal((await call(s.url, '/v1/limit-proposals/approve', { key: s.keys.admin, body: {} })).status, 400, 'ids or all');
    const approved = await call(s.url, '/v1/limit-proposals/approve', { key: s.keys.admin, body: { ids: [b1.id], note: 'weekly credit review' } });
    assert.equal(approved.status, 200, approved.text);
    assert.deepEqual(approved.json, { approved: [b1.id], skipped: [] });
    const view = await call(s.url, '/v1/accounts/B1', { key: s.keys.analyst });
    assert.equal(view.json.restrictions.limit.limit, 500_000);
    assert.equal(view.json.restrictions.limit.author, idOf(s.keys.admin));
    assert.match(view.json.restrictions.limit.reason, /^limit proposal \d+ \(credit grade E\): weekly credit review$/);

    const rejected = await call(s.url, '/v1/limit-proposals/reject', { key: s.keys.admin, body: { all: true, note: 'a takeover victim: keep the limit' } });
    assert.deepEqual(rejected.json.rejected, [byAccount.get('A1')!.id]);
    assert.equal((await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst })).json.restrictions.limit, null);
    const again = await call(s.url, '/v1/limit-proposals/approve', { key: s.keys.admin, body: { ids: [byAccount.get('A1')!.id] } });
    assert.deepEqual(again.json, { approved: [], skipped: [{ id: byAccount.get('A1')!.id, why: 'it is rejected' }] });
    assert.deepEqual((await list('approved')).map((p) => p.accountId), ['B1']);
  } finally {
    await s.close();
  }
});
