// `fengkong backtest` as a user runs it: the real CLI as a child process on the hand-built journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { DRAFT_SOURCES, handJournal, tempStore } from './backtest-fixture.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');

test('cli: backtest prints the summary and writes the JSON report', () => {
  const { store, dir, cleanup } = tempStore(handJournal());
  try {
    const policy = join(dir, '..', 'draft');
    mkdirSync(policy);
    writeFileSync(join(policy, 'draft.fk'), DRAFT_SOURCES[0].text);
    const out = join(dir, '..', 'report.json');
    // the store stays open for writing in this process: the CLI reads beside it
    const r = spawnSync(process.execPath, [CLI, 'backtest', '--data', dir, '--policy', policy, '--from', '2026-11-10', '--to',
      '2026-11-11T00:00:00+08:00', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /8 payments compared; 14 events replayed/);
    assert.match(r.stdout, /alert rate\s+50\.00%\s+62\.50%\s+\+12\.50 pt/);
    assert.match(r.stdout, /fraud caught\s+3 \(¥2,500\.00\)\s+3 \(¥2,220\.00\)\s+0 \(-¥280\.00\)/);
    assert.match(r.stdout, /outcome changes: 5 payments/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.run.transactions, 8);
    assert.equal(report.changed.total, 5);
    assert.equal(report.draft.outcomes.challenge, 1);
    assert.equal(store.lastSeq(), 32);

    const bad = spawnSync(process.execPath, [CLI, 'backtest', '--data', dir, '--policy', policy, '--from', 'yesterday'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--from must be a timestamp/);
    const none = spawnSync(process.execPath, [CLI, 'backtest', '--data', join(dir, 'nothing'), '--policy', policy], { encoding: 'utf8' });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no journal to backtest/);
  } finally {
    cleanup();
  }
});
