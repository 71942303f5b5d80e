// The replay and simulate commands end to end, as a user runs them: the real CLI as a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');

test('simulate then replay: one decision per payment, invalid lines reported and skipped, duplicates decided once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-test-replay-'));
  try {
    execFileSync(process.execPath, [CLI, 'simulate', '--out', dir, '--accounts', '300', '--days', '3', '--seed', '5'], { stdio: 'ignore' });
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    const txLines = lines.filter((l) => l.includes('"type":"transaction"'));
    const dup = txLines[txLines.length - 1];
    const bad = [
      '{"type":"transaction","id":"bad-1"',
      JSON.stringify({ ...JSON.parse(txLines[0]), id: 'bad-2', amount: -5 }),
      JSON.stringify({ ...JSON.parse(txLines[0]), id: 'bad-3', geo: { lat: 95, lon: 0 } }),
    ];
    const input = [...lines.slice(0, 50), ...bad, ...lines.slice(50), dup].join('\n') + '\n';
    writeFileSync(join(dir, 'in.jsonl'), input);
    const out = join(dir, 'decisions.jsonl');
    const r = spawnSync(process.execPath, [CLI, 'replay', join(dir, 'in.jsonl'), '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /line 51: \(event\): expected valid JSON/);
    assert.match(r.stderr, /line 52: amount: expected an integer/);
    assert.match(r.stderr, /line 53: geo\.lat: expected a latitude/);
    assert.match(r.stderr, /3 invalid lines, 1 duplicate transactions/);
    assert.match(r.stderr, /\nstream: of \d+ payments, device \d+%, geo \d+%/);
    assert.match(r.stderr, /\nstream: fed merchant registrations yes, terminal registrations yes, account registrations yes, acquirer registrations yes, repayments yes\n/);
    const decisions = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(decisions.length, txLines.length);
    assert.deepEqual(decisions.map((d) => d.txId), txLines.map((l) => JSON.parse(l).id));
    for (const d of decisions) {
      assert.ok(['approve', 'review', 'challenge', 'decline'].includes(d.outcome));
      assert.ok(typeof d.score === 'number' && d.score >= 0 && d.score <= 100);
      assert.ok(Array.isArray(d.reasons) && d.reasons.every((x: { code: unknown }) => typeof x.code === 'string'));
    }
    assert.ok(decisions.some((d) => d.outcome !== 'approve'), 'a world with fraud must flag something');
    // stdin in, stdout out: the same decisions
    const piped = execFileSync(process.execPath, [CLI, 'replay', '-', '--out', '-', '--quiet'], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    assert.equal(piped, readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay of a missing file or with a bad option says what to type, exit code 2', () => {
  const r = spawnSync(process.execPath, [CLI, 'replay', '/nonexistent/events.jsonl'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot read events file/);
  const u = spawnSync(process.execPath, [CLI, 'replay', 'x.jsonl', '--bogus'], { encoding: 'utf8' });
  assert.equal(u.status, 2);
  assert.match(u.stderr, /unknown option --bogus\nusage: fengkong replay/);
});
