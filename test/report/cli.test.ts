// `fengkong report` and `fengkong rules performance` as a user runs them: the real CLI as a child
// process on the hand-built report journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { reportJournal, tempStore } from './fixture.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');
const run = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('cli: report writes the HTML, or the JSON', () => {
  const { dir, root, cleanup } = tempStore(reportJournal());
  try {
    const html = join(root, 'report.html');
    const r = run(['report', '--data', dir, '--from', '2026-11-10', '--to', '2026-11-11', '--out', html]);
    assert.equal(r.status, 0, String(r.stderr));
    assert.match(String(r.stdout), /7 payments, ¥5,170\.00; flagged 57\.14%; fraud 4, caught 3 \(recall 75\.00%\); money saved ¥1,000\.00, legitimate declined ¥2,000\.00/);
    assert.match(String(r.stdout), /written to .*report\.html/);
    const text = readFileSync(html, 'utf8');
    assert.ok(text.startsWith('<!DOCTYPE html>'));
    assert.equal((text.match(/<svg /g) ?? []).length, 7);

    const json = join(root, 'report.json');
    const j = run(['report', '--data', dir, '--from', '2026-11-10', '--to', '2026-11-11', '--out', json, '--bucket', 'day', '--quiet']);
    assert.equal(j.status, 0, String(j.stderr));
    assert.equal(String(j.stdout), '');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(report.totals.payments, 7);
    assert.equal(report.series.length, 1);
    assert.equal(report.ratings, null);

    const out = run(['report', '--data', dir, '--from', '2026-11-10', '--to', '2026-11-11', '--format', 'json', '--quiet']);
    assert.equal(out.status, 0, String(out.stderr));
    assert.equal(JSON.parse(String(out.stdout)).previousTotals.payments, 4);

    const bad = run(['report', '--data', dir, '--from', 'someday', '--to', '2026-11-11']);
    assert.equal(bad.status, 2);
    assert.match(String(bad.stderr), /--from must be epoch milliseconds, a timestamp/);
    const missing = run(['report', '--data', dir, '--from', '2026-11-10']);
    assert.equal(missing.status, 2);
    assert.match(String(missing.stderr), /give --from and --to/);
    const none = run(['report', '--data', join(root, 'nothing'), '--from', '2026-11-10', '--to', '2026-11-11']);
    assert.equal(none.status, 2);
    assert.match(String(none.stderr), /no journal to report on/);
  } finally {
    cleanup();
  }
});

test('cli: rules performance prints a table, or the JSON', () => {
  const { dir, cleanup } = tempStore(reportJournal());
  try {
    const r = run(['rules', 'performance', '--data', dir, '--from', '2026-11-10', '--to', '2026-11-11']);
    assert.equal(r.status, 0, String(r.stderr));
    const out = String(r.stdout);
    assert.match(out, /7 payments, 4 fraud by the labels known now/);
    assert.match(out, /^MEDIUM_AMOUNT\s+4\s+1\s+1\s+1\s+1\s+2\s+50\.0%\s+50\.0%\s+¥4,800\.00$/m);
    assert.match(out, /^BLOCKED_ACCOUNT\s+1\s+1\s+0\s+0\s+0\s+1\s+100\.0%\s+25\.0%\s+¥300\.00$/m);
    assert.match(out, /^all payments\s+7\s+2\s+1\s+1\s+3\s+4\s+57\.1%\s+100\.0%\s+¥5,170\.00$/m);
    const j = run(['rules', 'performance', '--data', dir, '--bucket', 'hour', '--json']);
    assert.equal(j.status, 0, String(j.stderr));
    const report = JSON.parse(String(j.stdout));
    assert.equal(report.bucket, 'hour');
    assert.equal(report.totals.hits, 12);
    const bad = run(['rules', 'performance', '--data', dir, '--bucket', 'month']);
    assert.equal(bad.status, 2);
    assert.match(String(bad.stderr), /--bucket takes hour, day or week/);
    assert.equal(run(['rules', 'speed', '--data', dir]).status, 2);
  } finally {
    cleanup();
  }
});
