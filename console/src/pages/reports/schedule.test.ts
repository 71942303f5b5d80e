import { describe, expect, it } from 'vitest';
import { scheduledJobs } from './schedule';

describe('scheduledJobs', () => {
  it('reads daily and weekly times in the order the server lists them, with last runs', () => {
    expect(scheduledJobs({ list_expiry: 'daily 04:00', weekly_report: 'mon 09:00' }, { list_expiry: 5, weekly_report: null })).toEqual([
      { name: 'list_expiry', weekday: 0, time: '04:00', lastRun: 5 },
      { name: 'weekly_report', weekday: 1, time: '09:00', lastRun: null },
    ]);
  });
  it('keeps a time it does not understand as text, and lists last runs alone from an older server', () => {
    expect(scheduledJobs({ x: 'hourly' }, {})).toEqual([{ name: 'x', weekday: null, time: 'hourly', lastRun: null }]);
    expect(scheduledJobs(undefined, { review_queue: 7 })).toEqual([{ name: 'review_queue', weekday: null, time: '', lastRun: 7 }]);
  });
});
