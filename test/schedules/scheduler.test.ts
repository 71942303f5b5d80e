// The scheduler's clock arithmetic on Asia/Shanghai time and its durability: the latest weekly and
// daily slot at or before a time, each slot run once, a failed run tried again, a folder new to a
// job starting at its next slot, a missed week made up once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latestSlot, Scheduler, type Job } from '../../src/schedules/scheduler.js';

const at = (s: string): number => Date.parse(s);

test('latestSlot: Monday 09:00 and daily 08:00 on the Shanghai clock', () => {
  const monday9 = { every: 'week', weekday: 1, hour: 9 } as const;
  assert.equal(latestSlot(monday9, at('2026-12-07T10:00:00+08:00')), at('2026-12-07T09:00:00+08:00'));
  assert.equal(latestSlot(monday9, at('2026-12-07T09:00:00+08:00')), at('2026-12-07T09:00:00+08:00'));
  assert.equal(latestSlot(monday9, at('2026-12-07T08:59:59+08:00')), at('2026-11-30T09:00:00+08:00'));
  assert.equal(latestSlot(monday9, at('2026-12-13T23:59:00+08:00')), at('2026-12-07T09:00:00+08:00'), 'Sunday night');
  // 01:00 in Shanghai is still the previous day in UTC
  assert.equal(latestSlot(monday9, at('2026-12-08T01:00:00+08:00')), at('2026-12-07T09:00:00+08:00'));
  const daily8 = { every: 'day', hour: 8 } as const;
  assert.equal(latestSlot(daily8, at('2026-12-08T07:59:00+08:00')), at('2026-12-07T08:00:00+08:00'));
  assert.equal(latestSlot(daily8, at('2026-12-08T08:00:00+08:00')), at('2026-12-08T08:00:00+08:00'));
  assert.equal(latestSlot({ every: 'week', weekday: 7, hour: 23 }, at('2026-12-07T10:00:00+08:00')), at('2026-12-06T23:00:00+08:00'), 'Sunday 23:00');
});

function book(): { seqOf(n: string): number | null; advance(n: string, s: number): void; map: Map<string, number> } {
  const map = new Map<string, number>();
  return { map, seqOf: (n) => map.get(n) ?? null, advance: (n, s) => void map.set(n, Math.max(map.get(n) ?? -Infinity, s)) };
}

test('each slot runs once; a failure is tried again; a new folder starts at the next slot; a missed week runs once', async () => {
  let now = at('2026-12-07T10:00:00+08:00');
  const runs: number[] = [];
  let fail = false;
  const job: Job = {
    name: 'weekly',
    cadence: { every: 'week', weekday: 1, hour: 9 },
    run: async (slot) => {
      if (fail) throw new Error('disk full');
      runs.push(slot);
    },
  };
  const b = book();
  const lines: string[] = [];
  const s = new Scheduler([job], b, () => now, (l) => lines.push(l));
  assert.deepEqual(await s.tick(), [], "a new folder does not make up today's slot");
  now = at('2026-12-14T09:00:01+08:00');
  fail = true;
  assert.deepEqual(await s.tick(), []);
  assert.match(lines[0], /scheduled job weekly failed .*disk full/);
  fail = false;
  assert.deepEqual(await s.tick(), ['weekly'], 'tried again');
  assert.deepEqual(await s.tick(), [], 'once per slot');
  assert.deepEqual(runs, [at('2026-12-14T09:00:00+08:00')]);
  // the server was down three weeks: one run, for the latest slot
  now = at('2027-01-06T12:00:00+08:00');
  const again = new Scheduler([job], b, () => now, (l) => lines.push(l));
  assert.deepEqual(await again.tick(), ['weekly']);
  assert.deepEqual(runs.slice(1), [at('2027-01-04T09:00:00+08:00')]);
  assert.deepEqual(again.lastRuns(), { weekly: at('2027-01-04T09:00:00+08:00') });
});
