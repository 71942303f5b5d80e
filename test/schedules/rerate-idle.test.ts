// Re-rating idle accounts (src/schedules/rerate-idle.ts): an account that went quiet owing money
// keeps the grade of its last event until the nightly job re-rates it at the stream's clock; the job
// changes nothing a decision sees, since every payment re-rates its account first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { S } from '../../src/features/catalog.js';
import { gradeOf } from '../../src/features/credit-rating.js';
import { rerateIdle } from '../../src/schedules/rerate-idle.js';
import { account, at, baseWorld, DAY, DAY0, defaultPolicy, tx } from '../engine/world.js';

type Obj = Record<string, unknown>;
const LATER = 100 * DAY;

/**
 * Registrations of other accounts 100 days on: runs of eight early events move the stream's clock
 * (engine/event-clock.ts), and the sparse world's own early events make the first run.
 */
function quietMonths(): Obj[] {
  return Array.from({ length: 16 }, (_, i) => ({ ...account(`B${i}`), ts: at(LATER + i * 1000) }));
}

function engineAfter(events: Obj[]): Engine {
  const e = new Engine(defaultPolicy());
  for (const ev of events) e.apply(parseEvent(ev));
  return e;
}

test('an account idle for 100 days while owing is re-rated at the stream clock: overdue, a worse grade', async () => {
  const e = engineAfter([...baseWorld(), ...quietMonths()]);
  assert.ok(e.now >= DAY0 + LATER, 'the stream clock moved on');
  const a1 = e.account('A1');
  assert.ok(a1 !== undefined);
  const staleAt = a1.ratedAt;
  const stale = gradeOf(a1.ratingScore);
  const r = await rerateIdle(e, 7);
  assert.equal(r.rerated, 1, 'A1 alone was idle: the new accounts were rated at registration');
  const fresh = gradeOf(e.account('A1')?.ratingScore ?? NaN);
  assert.ok(fresh > stale, `a worse grade after 100 days overdue (${stale} → ${fresh})`);
  assert.deepEqual(r.moves, { [`${stale}→${fresh}`]: 1 });
  assert.equal(e.account('A1')?.ratedAt, e.now);
  assert.ok(staleAt < e.now - 7 * DAY);
  assert.deepEqual(await rerateIdle(e, 7), { rerated: 0, moves: {} }, 'a second run finds nobody idle');
  assert.deepEqual(await rerateIdle(e, 0), { rerated: 0, moves: {} }, '0 days: off');
});

test('a payment reads the grade of its own time, whether or not the job ran before it', async () => {
  const events = [...baseWorld(), ...quietMonths()];
  const pay = parseEvent(tx(LATER + 60_000, { id: 'after-quiet' }));
  const withJob = engineAfter(events);
  await rerateIdle(withJob, 7);
  const without = engineAfter(events);
  const stale = gradeOf(without.account('A1')?.ratingScore ?? NaN);
  const d1 = withJob.apply(pay);
  const g1 = withJob.lastVector.str[S.credit_grade];
  const d2 = without.apply(pay);
  const g2 = without.lastVector.str[S.credit_grade];
  assert.deepEqual(d1, d2);
  assert.equal(g1, g2);
  assert.notEqual(g2, stale, 'the payment saw the grade of day 100, not the stale one of its last event');
});
