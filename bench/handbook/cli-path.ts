/**
 * The Handbook's Chapter 3 protocol through the product's own commands, as a user with a
 * payments-only stream runs them: `fengkong train` on the events file (default policy, no
 * bench-side features) and `fengkong replay --model` over the same file; the test week is scored
 * from the decisions' `score`. Nothing here computes a feature: the bench only writes the events,
 * runs the two commands as child processes and reads their output.
 *
 * One file serves both commands. `train` labels its rows from every label in the file, which is
 * the protocol's "labels known when the test week starts" only because each label arrives exactly
 * 7 days after its fraud, so every fraud of the training week is labelled before the test week
 * (08-08 for the book's weeks) and no label of the file can reach a training row later; writeEvents
 * checks that instead of assuming it.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { forEachLine, openInput } from '../../src/io/lines.js';
import { averagePrecision, cardPrecisionTopK, rocAuc } from '../../src/eval/metrics.js';
import { HANDBOOK_CSV } from './csv.js';
import { handbookEvents, txIdOf, ZONE } from './events.js';
import { CHAPTER_3, HISTORY_FROM, KnownCompromised, type Weeks } from './protocol.js';
import type { HandbookScore } from './run.js';

/** A test-week payment as the protocol scores it. */
interface TestRow {
  readonly card: string;
  readonly day: string;
  readonly fraud: boolean;
}

/** What the CLI path measured, with the commands it ran. */
export interface CliPathResult {
  readonly score: HandbookScore;
  readonly commands: readonly string[];
  readonly trainSeconds: number;
  readonly replaySeconds: number;
  /** what `fengkong train` printed (its figures and the features it kept). */
  readonly trainLog: string;
}

/**
 * Writes the events from HISTORY_FROM to the end of the test week and returns the test rows the
 * protocol scores (payments of the test week minus each day's known-compromised cards).
 */
async function writeEvents(csv: string, path: string, weeks: Weeks): Promise<Map<string, TestRow>> {
  const { trainFrom, trainTo, testFrom, testTo } = weeks;
  const out = createWriteStream(path);
  const test = new Map<string, TestRow>();
  const compromised = new KnownCompromised(trainFrom);
  const training = new Set<string>();
  const testStart = Date.parse(`${testFrom}T00:00:00${ZONE}`);
  let lateTrainingLabels = 0;
  let buf = '';
  const pending: Promise<unknown>[] = [];
  await handbookEvents(csv, HISTORY_FROM, testTo, (line, row, t) => {
    buf += line + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) pending.push(once(out, 'drain'));
      buf = '';
    }
    if (row === null) {
      // a label: one reaching a training-week payment after the test week began would leak
      if (t >= testStart && training.has(/"txId":"([^"]+)"/.exec(line)?.[1] ?? '')) lateTrainingLabels++;
      return;
    }
    const day = row.datetime.slice(0, 10);
    const card = `C${row.customer}`;
    compromised.note(card, day, row.fraud);
    if (day >= trainFrom && day < trainTo) training.add(txIdOf(row));
    else if (day >= testFrom && !compromised.known(card, day)) test.set(txIdOf(row), { card, day, fraud: row.fraud });
  });
  await Promise.all(pending);
  out.end(buf);
  await once(out, 'finish');
  if (lateTrainingLabels > 0) throw new Error(`${lateTrainingLabels} labels of training payments arrive after the test week begins: one file cannot serve train`);
  return test;
}

/** Runs `fengkong <args>`, passing its stderr through when `echo`; resolves with what it printed on stderr and the seconds taken. */
async function fengkong(args: readonly string[], echo: boolean): Promise<{ stderr: string; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'fengkong.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr += s;
    if (echo) process.stderr.write(s);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`fengkong ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`);
  return { stderr, seconds: (performance.now() - started) / 1000 };
}

/**
 * The protocol through `fengkong train` (with `trainArgs` added, e.g. `--features none`) and
 * `fengkong replay --model`, in a temporary folder removed afterwards; `weeks` (default the book's)
 * moves the protocol to earlier weeks.
 */
export async function runCliPath(opts: { csv?: string; trainArgs?: readonly string[]; echo?: boolean; weeks?: Weeks } = {}): Promise<CliPathResult> {
  const weeks = opts.weeks ?? CHAPTER_3;
  const dir = mkdtempSync(join(tmpdir(), 'fk-handbook-'));
  try {
    const events = join(dir, 'handbook.jsonl');
    const model = join(dir, 'model.json');
    const decisions = join(dir, 'decisions.jsonl');
    const test = await writeEvents(opts.csv ?? HANDBOOK_CSV, events, weeks);
    const trainArgs = ['train', events, '--out', model, '--from', weeks.trainFrom, '--to', weeks.trainTo, ...(opts.trainArgs ?? [])];
    const replayArgs = ['replay', events, '--model', model, '--out', decisions, '--quiet'];
    const train = await fengkong(trainArgs, opts.echo ?? true);
    const replay = await fengkong(replayArgs, opts.echo ?? true);
    const score = await scoreDecisions(decisions, test);
    const shown = (a: readonly string[]): string => `fengkong ${a.join(' ').replaceAll(dir, '$DIR')}`;
    return { score, commands: [shown(trainArgs), shown(replayArgs)], trainSeconds: train.seconds, replaySeconds: replay.seconds, trainLog: train.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The book's three metrics from the replay's decisions (`score`, 0–100) over the test rows. */
async function scoreDecisions(path: string, test: ReadonlyMap<string, TestRow>): Promise<HandbookScore> {
  const scores: number[] = [];
  const cards: string[] = [];
  const days: string[] = [];
  const fraud: number[] = [];
  await forEachLine(openInput(path), (line) => {
    if (line.length === 0) return;
    const d = JSON.parse(line) as { txId?: string; score?: number };
    const row = d.txId === undefined ? undefined : test.get(d.txId);
    if (row === undefined || typeof d.score !== 'number') return;
    scores.push(d.score);
    cards.push(row.card);
    days.push(row.day);
    fraud.push(row.fraud ? 1 : 0);
  });
  if (scores.length !== test.size) throw new Error(`the replay decided ${scores.length} of the ${test.size} test payments`);
  const s = Float64Array.from(scores);
  const y = Uint8Array.from(fraud);
  return {
    auc: rocAuc(s, y),
    ap: averagePrecision(s, y),
    cp100: cardPrecisionTopK(days, cards, s, y, 100).mean,
    transactions: s.length,
    frauds: fraud.reduce((a, b) => a + b, 0),
  };
}
