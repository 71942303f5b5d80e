// The schedule file (src/schedules/schedule-file.ts): job times as people write them, every mistake
// named with the field and what was expected, and `fengkong serve --schedule-file` refusing a bad
// file before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cadenceText, parseCadence, parseScheduleFile } from '../../src/schedules/schedule-file.js';
import { latestSlot } from '../../src/schedules/scheduler.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../server/helpers.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');

test('cadences: daily, a weekday, off; minutes count on the Shanghai clock', () => {
  assert.deepEqual(parseCadence('daily 09:30'), { every: 'day', hour: 9, minute: 30 });
  assert.deepEqual(parseCadence(' Sun 23:59 '), { every: 'week', weekday: 7, hour: 23, minute: 59 });
  assert.equal(parseCadence('off'), 'off');
  for (const bad of ['daily 24:00', 'daily 9:30', 'monday 09:00', 'weekly', '']) assert.equal(parseCadence(bad), null, bad);
  const c = parseCadence('daily 09:30');
  assert.ok(c !== null && c !== 'off');
  assert.equal(latestSlot(c, Date.parse('2026-11-17T09:29:59+08:00')), Date.parse('2026-11-16T09:30:00+08:00'));
  assert.equal(latestSlot(c, Date.parse('2026-11-17T09:30:00+08:00')), Date.parse('2026-11-17T09:30:00+08:00'));
  assert.equal(cadenceText(c), 'daily 09:30');
  assert.equal(cadenceText({ every: 'week', weekday: 1, hour: 8 }), 'mon 08:00');
});

test('a schedule file: known jobs only, each mistake named', () => {
  assert.deepEqual(parseScheduleFile('{"review_queue": "daily 09:30", "weekly_report": "off"}', 's.json'), { review_queue: { every: 'day', hour: 9, minute: 30 }, weekly_report: 'off' });
  assert.throws(() => parseScheduleFile('{"review_queue": "at nine"}', 's.json'), /s\.json: "review_queue" must be "daily HH:MM".*not "at nine"/);
  assert.throws(() => parseScheduleFile('{"reveiw_queue": "daily 09:00"}', 's.json'), /unknown job "reveiw_queue"; the jobs are list_expiry, rerate_idle, review_queue, limit_proposals, weekly_report/);
  assert.throws(() => parseScheduleFile('{"review_queue": 9}', 's.json'), /not 9/);
  assert.throws(() => parseScheduleFile('[]', 's.json'), /expected a JSON object/);
  assert.throws(() => parseScheduleFile('{', 's.json'), /s\.json: not JSON/);
});

test('fengkong serve --schedule-file refuses a bad file before starting', () => {
  const dir = tempDir();
  const file = join(dir, 'schedule.json');
  writeFileSync(file, '{"weekly_report": "monday 9am"}');
  const r = spawnSync(process.execPath, [CLI, 'serve', '--data', join(dir, 'data'), '--port', '0', '--schedule-file', file], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /"weekly_report" must be "daily HH:MM"/);
  const missing = spawnSync(process.execPath, [CLI, 'serve', '--data', join(dir, 'data'), '--port', '0', '--schedule-file', join(dir, 'none.json')], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--schedule-file: cannot read/);
});
