// The nightly jobs and the schedule file against a real server, on a scheduler clock the test moves:
// at 04:00 (Asia/Shanghai) list entries past their expiry leave the store; at 07:00 accounts idle for
// a week are re-rated at the stream's clock (audited with the moves between grades); the schedule
// file moves the review queue to 09:30 and turns the weekly report off, and GET /v1/reports says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatShanghai } from '../../src/contract/time.js';
import { SqliteListStore } from '../../src/store/sqlite/lists.js';
import { account, baseWorld } from '../engine/world.js';
import { auditOf } from '../policy/helpers.js';
import { until } from '../helpers/webhook-receiver.js';
import { call, feed, startTestServer, tempDir } from './helpers.js';

test('list expiry at 04:00, re-rating of idle accounts at 07:00, the review queue moved to 09:30 by the schedule file', async () => {
  let clock = Date.parse('2026-11-17T03:30:00+08:00'); // a Tuesday night
  const cadences = { review_queue: { every: 'day', hour: 9, minute: 30 }, weekly_report: 'off' } as const;
  const dir = tempDir();
  const s = await startTestServer({ dir, schedules: { now: () => clock, tickMs: 50, cadences } });
  try {
    const reports = async (): Promise<Record<string, any>> => (await call(s.url, '/v1/reports', { key: s.keys.analyst })).json;
    const first = await reports();
    assert.deepEqual(first.schedule, { list_expiry: 'daily 04:00', rerate_idle: 'daily 07:00', review_queue: 'daily 09:30', limit_proposals: 'mon 08:00' });
    assert.equal('weekly_report' in first.lastRuns, false, 'the file turned the weekly report off');

    await feed(s.url, s.keys.admin, baseWorld()); // A1 owes since its payments of early November
    const expiresAt = Date.now() + 1_500;
    assert.equal((await call(s.url, '/v1/lists/watch_accounts/entries', { key: s.keys.admin, body: { value: 'A9', reason: 'a week of watching', expiresAt } })).status, 201);
    assert.equal((await call(s.url, '/v1/lists/watch_accounts/entries', { key: s.keys.admin, body: { value: 'A8', reason: 'kept' } })).status, 201);
    // the stream reaches the present: registrations of other accounts now (runs of early events move its clock)
    const now = formatShanghai(Date.now() + 2_000);
    await feed(s.url, s.keys.admin, Array.from({ length: 16 }, (_, i) => ({ ...account(`B${i}`), ts: now })));
    while (Date.now() <= expiresAt + 2_100) await new Promise((r) => setTimeout(r, 100));
    const held = async (): Promise<number> => (await call(s.url, '/v1/lists/watch_accounts', { key: s.keys.analyst })).json.list.entries;
    const stored = (): number => {
      const store = SqliteListStore.open(dir, { readonly: true });
      try {
        return store.list('watch_accounts')?.entries ?? -1;
      } finally {
        store.close();
      }
    };
    assert.equal(await held(), 2, 'the expired entry is still held before the job');
    assert.equal(stored(), 2);

    clock = Date.parse('2026-11-17T04:00:05+08:00');
    await until('the list expiry', async () => (await held()) === 1);
    assert.equal(stored(), 1, 'gone from the store too');
    const expired = await auditOf(s, s.keys.analyst, 'lists.expire');
    assert.equal(expired.length, 1);
    assert.equal(expired[0].actor, 'system:schedules');
    assert.equal(expired[0].after.removed, 1);
    const left = (await call(s.url, '/v1/lists/watch_accounts/entries', { key: s.keys.analyst })).json.entries as { value: string }[];
    assert.deepEqual(left.map((e) => e.value), ['A8'], 'the entry without expiry stays');

    const before = (await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst })).json;
    clock = Date.parse('2026-11-17T07:00:05+08:00');
    await until('the re-rating', async () => (await auditOf(s, s.keys.analyst, 'accounts.rerate')).length === 1);
    const [rerate] = await auditOf(s, s.keys.analyst, 'accounts.rerate');
    assert.equal(rerate.actor, 'system:schedules');
    assert.equal(rerate.after.idleDays, 7);
    assert.equal(rerate.after.rerated, 1, 'A1 alone was idle for a week; the new accounts were rated at registration');
    const after = (await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst })).json;
    assert.ok(after.rating.ratedAt > before.rating.ratedAt, 'A1 rated again, at the stream clock');

    clock = Date.parse('2026-11-17T08:00:05+08:00');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await reports()).lastRuns.review_queue, first.lastRuns.review_queue, 'not at 08:00: the file moved it');
    clock = Date.parse('2026-11-17T09:30:05+08:00');
    await until('the review queue at 09:30', async () => (await reports()).lastRuns.review_queue === Date.parse('2026-11-17T09:30:00+08:00'));
  } finally {
    await s.close();
  }
});
