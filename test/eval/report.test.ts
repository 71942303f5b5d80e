import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval } from '../../src/cli/eval.js';
import { UsageError } from '../../src/errors.js';
import { readEvalRows } from '../../src/eval/read.js';
import { evaluate, formatReport } from '../../src/eval/report.js';

const dir = mkdtempSync(join(tmpdir(), 'fk-eval-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, lines: object[]): string => {
  const p = join(dir, name);
  writeFileSync(p, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return p;
};

// five payments: two frauds (one flagged at challenge, one approved), three legitimate (one reviewed)
const decisions = write('d.jsonl', [
  { txId: 't1', outcome: 'challenge', score: 70, reasons: [] },
  { txId: 't2', outcome: 'approve', score: 10, reasons: [] },
  { txId: 't3', outcome: 'review', score: 45, reasons: [] },
  { txId: 't4', outcome: 'approve', score: 5, reasons: [] },
  { txId: 't5', outcome: 'approve', score: 20, reasons: [] },
]);
const truth = write('t.jsonl', [
  { txId: 't1', fraud: true, typology: 'small_burst' },
  { txId: 't2', fraud: true, typology: 'cashout' },
  { txId: 't3', fraud: false },
  { txId: 't4', fraud: false },
  { txId: 't5', fraud: false },
]);
const events = write('e.jsonl', [
  { type: 'transaction', id: 't1', ts: '2026-10-01T10:00:00+08:00', accountId: 'a', amount: 1, merchantId: 'm', terminalId: 'x' },
  { type: 'transaction', id: 't2', ts: '2026-10-01T11:00:00+08:00', accountId: 'b', amount: 1, merchantId: 'm', terminalId: 'x' },
  { type: 'transaction', id: 't3', ts: '2026-10-01T12:00:00+08:00', accountId: 'c', amount: 1, merchantId: 'm', terminalId: 'x' },
  { type: 'transaction', id: 't4', ts: '2026-10-02T10:00:00+08:00', accountId: 'a', amount: 1, merchantId: 'm', terminalId: 'x' },
  { type: 'transaction', id: 't5', ts: '2026-10-02T10:00:00+08:00', accountId: 'c', amount: 1, merchantId: 'm', terminalId: 'x' },
]);

test('eval joins decisions with truth and reports each outcome level and typology', async () => {
  const r = evaluate(await readEvalRows(decisions, truth, null), 1);
  assert.equal(r.decisions, 5);
  assert.equal(r.frauds, 2);
  // frauds at 70 and 10; legitimate at 45, 5, 20 → pairs won: 70 beats 3, 10 beats 5 → 4 of 6
  assert.ok(Math.abs(r.rocAuc - 4 / 6) < 1e-12);
  // 70 (fraud) → R ½ P 1; 45, 20 → legit; 10 → R 1, P 2/4 → ½ + ½·½ = 0.75
  assert.ok(Math.abs(r.averagePrecision - 0.75) < 1e-12);
  const [review, challenge, decline] = r.levels;
  assert.deepEqual([review.level, review.tp, review.fp, review.recall, review.fpr], ['≥review', 1, 1, 0.5, 1 / 3]);
  assert.deepEqual([challenge.level, challenge.tp, challenge.fp], ['≥challenge', 1, 0]);
  assert.deepEqual([decline.level, decline.flagged], ['decline', 0]);
  assert.equal(r.legitimateFlaggedShare, 1 / 3);
  assert.deepEqual(r.typologies.map((t) => [t.typology, t.frauds, t.flagged]), [['cashout', 1, 0], ['small_burst', 1, 1]]);
  assert.equal(r.cardPrecision, null);
  assert.match(r.cardPrecisionNote ?? '', /--events/);
  assert.match(formatReport(r), /card precision: skipped/);
});

test('with the events file, card precision per day is computed', async () => {
  // day 1: cards a 70 (fraud), c 45, b 10 (fraud) → top 1 = a → 1.0; day 2: a is found and left
  // out; c 20 → top 1 = c, legitimate → 0 → mean 0.5
  const r = evaluate(await readEvalRows(decisions, truth, events), 1);
  assert.equal(r.cardPrecision?.mean, 0.5);
  assert.deepEqual(r.cardPrecision?.days.map((d) => d.day), ['2026-10-01', '2026-10-02']);
});

test('fengkong eval --json prints the same figures as JSON; misuse is a UsageError', async () => {
  const chunks: string[] = [];
  const sink = { write: (s: string) => chunks.push(s) };
  assert.equal(await runEval(['--decisions', decisions, '--truth', truth, '--events', events, '--k', '1', '--json'], sink), 0);
  const j = JSON.parse(chunks.join('')) as { rocAuc: number; cardPrecision: { mean: number }; levels: unknown[] };
  assert.ok(Math.abs(j.rocAuc - 4 / 6) < 1e-12);
  assert.equal(j.cardPrecision.mean, 0.5);
  assert.equal(j.levels.length, 3);
  await assert.rejects(runEval(['--decisions', decisions]), UsageError);
  await assert.rejects(runEval(['--truth', truth, '--decisions', decisions, '--bogus']), UsageError);
});

test('eval prints recall against the share flagged, and --html draws it on a printable page', async () => {
  const r = evaluate(await readEvalRows(decisions, truth, null), 1);
  // legitimate at 45, 20, 5: a third of them flagged is 45 alone → one fraud (70) of two above it
  const third = r.curve.find((c) => Math.abs(c.share - 0.005) < 1e-12);
  assert.ok(third !== undefined);
  assert.deepEqual([third.threshold, third.recall], [45.0001, 0.5], 'none of three legitimate payments fits in 0.5%: only 70 is above 45');
  assert.match(formatReport(r), /recall against the share of legitimate payments flagged/);
  const html = join(dir, 'eval.html');
  const chunks: string[] = [];
  assert.equal(await runEval(['--decisions', decisions, '--truth', truth, '--html', html], { write: (s: string) => chunks.push(s) }), 0);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<svg[\s\S]*Recall against the share of legitimate payments flagged/);
  assert.match(page, /<td>0\.50%<\/td><td>45\.0001<\/td><td>50\.00%<\/td>/);
  await assert.rejects(runEval(['--decisions', decisions, '--truth', truth, '--html', join(html, 'no', 'such', 'dir.html')], { write: () => true }), UsageError);
});
