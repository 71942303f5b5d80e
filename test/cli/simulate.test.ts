// `fengkong simulate`'s front end: defaults, refusals that name what to type, what the simulator
// refuses shown as a usage error, and a small run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSimulateArgs, runSimulate } from '../../src/cli/simulate.js';
import { UsageError } from '../../src/errors.js';
import type { SimSummary } from '../../src/sim/simulate.js';

const root = mkdtempSync(join(tmpdir(), 'fk-sim-cli-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the command line: defaults, bad arguments name what to type, a run returns 0', async () => {
  assert.deepEqual(parseSimulateArgs(['--out', 'w']), { out: 'w', seed: 1, accounts: 20000, days: 30, start: '2026-10-01', availableCredit: 'none', missingRepayments: 0, quiet: false });
  assert.deepEqual(parseSimulateArgs(['--out', 'w', '--available-credit', 'card', '--missing-repayments', '0.33']).missingRepayments, 0.33);
  const bad = [
    [],
    ['--out'],
    ['--out', 'w', '--days', '0'],
    ['--out', 'w', '--accounts', 'many'],
    ['--out', 'w', '--seed', ''],
    ['--out', 'w', '--nope'],
    ['w'],
    ['--out', 'w', '--available-credit', 'some'],
    ['--out', 'w', '--missing-repayments', '1.5'],
    ['--out', 'w', '--missing-repayments', 'third'],
  ];
  for (const args of bad) {
    assert.throws(
      () => parseSimulateArgs(args),
      (e: unknown) => e instanceof UsageError && e.message.includes('fengkong simulate --out DIR'),
      args.join(' '),
    );
  }
  const code = await runSimulate(['--out', join(root, 'cli'), '--accounts', '50', '--days', '2', '--seed', '4', '--quiet']);
  assert.equal(code, 0);
  const summary = JSON.parse(readFileSync(join(root, 'cli', 'summary.json'), 'utf8')) as SimSummary;
  assert.equal(summary.accounts, 50);
  assert.ok(summary.transactions > 0);
});

test('a start date the simulator refuses is a usage error with its message, and nothing is written', async () => {
  const out = join(root, 'feb30');
  await assert.rejects(
    runSimulate(['--out', out, '--accounts', '50', '--days', '1', '--start', '2026-02-30', '--quiet']),
    (e: unknown) => e instanceof UsageError && e.message.includes('start is not a real date: "2026-02-30"'),
  );
  assert.equal(existsSync(out), false);
});
