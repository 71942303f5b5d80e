/**
 * The Fraud Detection Handbook benchmark, Chapter 3 protocol, on Fengkong:
 *
 *   npm run build && node dist/bench/handbook/run.js [--features auto|none] [--in-process …] [--json FILE]
 *
 * The headline runs the product's own commands (cli-path.ts). With --in-process: one replay of the
 * public data (../shared/datasets/fraud-handbook/raw.csv.gz, read in place) from its first day to
 * the end of the test week through the engine (default policy, or this folder's), every
 * feature computed point in time. The vectors of the training week (2018-07-25 … 07-31) are kept
 * and labelled with the label events known when the test week starts (2018-08-08 00:00, labels
 * arriving 7 days after each fraud); the vectors of the test week (08-08 … 08-14) are kept for
 * scoring, minus the cards known compromised. The model never feeds back into features, so
 * scoring the kept vectors after the replay gives exactly the scores a model installed at the start
 * of the test week would have given during it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEventText } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { loadPolicy, loadPolicyWith, PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { candidateFeatures, featureFile } from '../../src/model/auto-features.js';
import { chooseGenerated } from '../../src/model/auto-select.js';
import { averagePrecision, cardPrecisionTopK, rocAuc } from '../../src/eval/metrics.js';
import { RowCollector } from '../../src/model/dataset.js';
import { numericSlotNames } from '../../src/model/feature-names.js';
import type { GbdtModel, ModelFeatures } from '../../src/model/gbdt-model.js';
import { trainGbdt, type GbdtParams, type TrainResult } from '../../src/model/gbdt-train.js';
import { answerHelp, flag } from '../util.js';
import { runCliPath } from './cli-path.js';
import { HANDBOOK_CSV } from './csv.js';
import { handbookEvents, ZONE } from './events.js';
import { KNOWN_FRAUD_FEATURES, KnownFraudByTerminal } from './known-fraud.js';
import { addDays, BOOK_TEST, CHAPTER_3, HISTORY_FROM, KnownCompromised, PUBLISHED, TEST_FROM, TEST_TO, TRAIN_FROM, TRAIN_TO, weeksBack } from './protocol.js';

/** The handbook policy folder (features only, no rules). */
export const HANDBOOK_POLICY = join(PACKAGE_ROOT, 'bench', 'handbook', 'policy');

/** The rows one replay yields: the labelled training week and the test week with its truth. */
export interface HandbookData {
  readonly featureNames: string[];
  readonly train: RowCollector;
  readonly trainFrauds: number;
  readonly test: RowCollector;
  readonly testCard: string[];
  readonly testDay: string[];
  readonly testFraud: Uint8Array;
  readonly events: number;
  readonly seconds: number;
}

/** Replays the data and collects the training and test rows (see the file comment). */
export async function collectHandbook(
  csv = HANDBOOK_CSV,
  historyFrom = HISTORY_FROM,
  gapDays = 8,
  /** only the engine's own features (builtins + policy), without the bench's known-fraud helper */
  engineOnly = false,
  /** the product's default policy instead of the handbook policy: what `fengkong train` sees with no --policy */
  defaultPolicy = false,
  /** generated feature files compiled in beside the policy (`train --features auto`) */
  generatedFiles: readonly ModelFeatures[] = [],
): Promise<HandbookData> {
  const started = performance.now();
  const policy = defaultPolicy ? loadPolicyWith(undefined, generatedFiles) : loadPolicy(HANDBOOK_POLICY);
  const engine = new Engine(policy);
  const known = new KnownFraudByTerminal();
  const featureNames = [...numericSlotNames(policy), ...(engineOnly ? [] : KNOWN_FRAUD_FEATURES)];
  const width = featureNames.length;
  const extra = new Float64Array(engineOnly ? 0 : KNOWN_FRAUD_FEATURES.length);
  const train = new RowCollector(width, 1 << 17);
  const trainRow = new Map<string, number>();
  const test = new RowCollector(width, 1 << 16);
  const testCard: string[] = [];
  const testDay: string[] = [];
  const testFraud: number[] = [];
  const compromised = new KnownCompromised();
  const testStart = Date.parse(`${TEST_FROM}T00:00:00${ZONE}`);
  /** fraud labels known so far; frozen into the training labels when the test week starts. */
  const labelled = new Set<string>();
  let trainFrauds = -1;
  let events = 0;
  const freezeLabels = (): void => {
    trainFrauds = 0;
    for (const txId of labelled) {
      const row = trainRow.get(txId);
      if (row !== undefined) {
        train.setLabel(row, 1);
        trainFrauds++;
      }
    }
  };
  await handbookEvents(csv, historyFrom, TEST_TO, (line, row, t) => {
    events++;
    const ev = parseEventText(line);
    if (ev.type === 'label') {
      engine.apply(ev);
      known.onLabel(ev);
      if (ev.txId !== undefined && ev.fraud) labelled.add(ev.txId);
      return;
    }
    if (ev.type !== 'transaction' || row === null) return;
    if (trainFrauds < 0 && t >= testStart) freezeLabels();
    if (!engineOnly) known.features(ev, extra, 0);
    engine.apply(ev);
    const day = row.datetime.slice(0, 10);
    const card = ev.accountId;
    compromised.note(card, day, row.fraud);
    if (day >= TRAIN_FROM && day < TRAIN_TO) trainRow.set(ev.id, train.add(engine.lastVector.num, t, undefined, extra));
    else if (day >= TEST_FROM && !compromised.known(card, day, gapDays)) {
      test.add(engine.lastVector.num, t, undefined, extra);
      testCard.push(card);
      testDay.push(day);
      testFraud.push(row.fraud ? 1 : 0);
    }
    known.onTransaction(ev);
  });
  if (trainFrauds < 0) freezeLabels();
  return {
    featureNames,
    train,
    trainFrauds,
    test,
    testCard,
    testDay,
    testFraud: Uint8Array.from(testFraud),
    events,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Trains on the training week. */
export function trainHandbook(d: HandbookData, params: Partial<GbdtParams> = {}): TrainResult {
  const v = d.train.view();
  return trainGbdt(
    { x: v.x, width: d.train.width, rows: v.rows, y: v.y, time: v.time, featureNames: d.featureNames },
    params,
    { from: `${TRAIN_FROM}T00:00:00${ZONE}`, to: `${TRAIN_TO}T00:00:00${ZONE}` },
  );
}

/** The test-week figures of a model. */
export interface HandbookScore {
  readonly auc: number;
  readonly ap: number;
  readonly cp100: number;
  readonly transactions: number;
  readonly frauds: number;
}

/** Scores the test week and computes the book's three metrics. */
export function scoreHandbook(d: HandbookData, model: GbdtModel): HandbookScore {
  const v = d.test.view();
  const w = d.test.width;
  const scores = new Float64Array(v.rows);
  // a model trained on some of the columns (the kept generated features) reads them where they are
  const bound = model.withInputs(model.featureNames.map((n) => d.featureNames.indexOf(n)));
  for (let i = 0; i < v.rows; i++) scores[i] = bound.probability(v.x.subarray(i * w, (i + 1) * w));
  let frauds = 0;
  for (const y of d.testFraud) frauds += y;
  return {
    auc: rocAuc(scores, d.testFraud),
    ap: averagePrecision(scores, d.testFraud),
    cp100: cardPrecisionTopK(d.testDay, d.testCard, scores, d.testFraud, 100).mean,
    transactions: v.rows,
    frauds,
  };
}

/** The comparison table, published rows first (none for weeks the book did not test on). */
export function formatTable(s: HandbookScore, label = 'Fengkong GBDT (this run)', published: typeof PUBLISHED = PUBLISHED): string {
  const rows = [...published.map((p) => ({ model: p.model, auc: p.auc, ap: p.ap, cp: p.cp100 })), { model: label, auc: s.auc, ap: s.ap, cp: s.cp100 }];
  const w = Math.max(...rows.map((r) => r.model.length));
  const line = (m: string, a: string, b: string, c: string): string => `| ${m.padEnd(w)} | ${a.padStart(7)} | ${b.padStart(5)} | ${c.padStart(6)} |`;
  return [
    line('model', 'ROC AUC', 'AP', 'CP@100'),
    `|${'-'.repeat(w + 2)}|${'-'.repeat(9)}|${'-'.repeat(7)}|${'-'.repeat(8)}|`,
    ...rows.map((r) => line(r.model, r.auc.toFixed(3), r.ap.toFixed(3), r.cp.toFixed(3))),
  ].join('\n');
}

const USAGE = `node dist/bench/handbook/run.js [--features auto|none] [--seed N] [--weeks-back DAYS] [--in-process [--bench-policy | --engine-only | --auto-features]] [--json FILE] [--csv FILE]
  --seed: the model's training seed (row and column sampling), passed to train; the figures move by a few thousandths
  --weeks-back: the same protocol DAYS earlier (e.g. 14, 21, 28): weeks to choose features on without looking at
           the reported test week; commands path only
  default: the headline — the product's own commands, \`fengkong train\` (default policy, its default --features)
           then \`fengkong replay --model\`, on the handbook's events; --features is passed to train
  --in-process: the same protocol inside this process with the product's default policy and builtins
    --auto-features: with every generated candidate, then the kept ones (as train --features auto)
    --bench-policy: this folder's policy and known-fraud.ts (the bench's own features, which a user does not have)
    --engine-only: this folder's policy without known-fraud.ts`;

async function main(): Promise<void> {
  answerHelp(USAGE);
  const csv = flag('csv') ?? HANDBOOK_CSV;
  const seedText = flag('seed');
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got "${seedText}"`);
  const backText = flag('weeks-back');
  const back = backText === undefined ? 0 : Number(backText);
  if (!Number.isSafeInteger(back) || back < 0 || back > 60) throw new Error(`--weeks-back must be a whole number of days from 0 to 60, got "${backText}"`);
  if (back > 0 && process.argv.includes('--in-process')) throw new Error('--weeks-back runs the commands path only; leave out --in-process');
  if (!process.argv.includes('--in-process')) {
    const features = flag('features');
    const weeks = back === 0 ? CHAPTER_3 : weeksBack(back);
    const lastTestDay = addDays(weeks.testTo, -1);
    process.stderr.write(`handbook: the product's commands on ${HISTORY_FROM} … ${weeks.testTo} (exclusive) from ${csv}\n`);
    const trainArgs = [...(features === undefined ? [] : ['--features', features]), ...(seed === undefined ? [] : ['--seed', String(seed)])];
    const r = await runCliPath({ csv, trainArgs, weeks });
    const what = back === 0 ? 'Chapter 3 protocol' : `Chapter 3 protocol ${back} days earlier (not the book's test week: its figures compare with no published row)`;
    process.stdout.write(
      `\nFraud Detection Handbook, ${what} (test week ${weeks.testFrom} … ${lastTestDay}, ${r.score.transactions} payments, ${r.score.frauds} frauds)\n` +
        `through the product's commands:\n${r.commands.map((c) => `  ${c}`).join('\n')}\n\n${formatTable(r.score, 'Fengkong, train + replay --model', back === 0 ? PUBLISHED : [])}\n\n` +
        `train took ${r.trainSeconds.toFixed(1)} s (replay and training of ${weeks.trainFrom} … ${weeks.trainTo}), replay --model ${r.replaySeconds.toFixed(1)} s\n`,
    );
    const out = flag('json');
    if (out !== undefined) writeFileSync(out, JSON.stringify({ path: 'cli', weeks, score: r.score, published: back === 0 ? PUBLISHED : [], commands: r.commands, trainSeconds: r.trainSeconds, replaySeconds: r.replaySeconds }, null, 2) + '\n');
    return;
  }
  process.stderr.write(`handbook: replaying ${HISTORY_FROM} … ${TEST_TO} (exclusive) from ${csv}\n`);
  const autoFeatures = process.argv.includes('--auto-features');
  const benchPolicy = process.argv.includes('--bench-policy');
  const engineOnly = process.argv.includes('--engine-only');
  const defaultPolicy = !benchPolicy && !engineOnly;
  const generated = autoFeatures ? candidateFeatures({ device: false, ip: false }) : [];
  const extra = generated.length === 0 ? [] : [{ file: '95-auto-candidates.fk', text: featureFile(generated, generated, 'every candidate') }];
  if (defaultPolicy) process.stderr.write("handbook: the product's default policy and builtins only, as `fengkong train` with no --policy (no known-fraud helper)\n");
  else if (engineOnly) process.stderr.write('handbook: this folder\'s policy, engine features only (no known-fraud helper)\n');
  else process.stderr.write('handbook: this folder\'s policy and known-fraud.ts\n');
  const d = await collectHandbook(csv, HISTORY_FROM, 8, !benchPolicy, defaultPolicy, extra);
  process.stderr.write(
    `handbook: ${d.events} events replayed in ${d.seconds.toFixed(1)} s; training week ${d.train.rows} payments, ` +
      `${d.trainFrauds} known frauds; test week ${d.test.rows} payments (book: ${BOOK_TEST.transactions}), ` +
      `${d.testFraud.reduce((a, b) => a + b, 0)} frauds (book: ${BOOK_TEST.frauds})\n`,
  );
  const params: Partial<GbdtParams> = seed === undefined ? {} : { seed };
  let r: TrainResult;
  if (!autoFeatures) r = trainHandbook(d, params);
  else {
    // as `fengkong train --features auto`: a selection model names what it leans on, kept only if it helps on the latest slice
    const v = d.train.view();
    const all = { x: v.x, width: d.train.width, rows: v.rows, y: v.y, time: v.time, featureNames: d.featureNames };
    const ctx = { from: `${TRAIN_FROM}T00:00:00${ZONE}`, to: `${TRAIN_TO}T00:00:00${ZONE}` };
    const { kept, own, withKept, keep } = chooseGenerated(all, generated, params, ctx);
    const [a, b] = [own.model.metrics?.averagePrecision ?? NaN, withKept.model.metrics?.averagePrecision ?? NaN];
    r = keep ? withKept : own;
    process.stderr.write(
      `handbook: generated features: kept ${kept.length} of ${generated.length} (${kept.map((f) => f.name).join(', ')}); reported-slice AP ${a.toFixed(4)} without, ${b.toFixed(4)} with, ` +
        `log loss ${own.model.metrics?.logLoss?.toFixed(4)} without, ${withKept.model.metrics?.logLoss?.toFixed(4)} with: ${keep ? 'kept' : 'dropped'}\n`,
    );
  }
  const tr = r.model.training;
  process.stderr.write(
    `handbook: trained ${r.model.size} trees (of ${r.roundsRun}) on ${tr?.rows ?? 0} rows + ${tr?.validationRows ?? 0} validation rows ` +
      `in ${r.seconds.toFixed(1)} s; validation AUC ${r.model.metrics?.auc?.toFixed(4)}, AP ${r.model.metrics?.averagePrecision?.toFixed(4)}\n`,
  );
  const s = scoreHandbook(d, r.model);
  const top = (tr?.importance ?? []).map((g, i) => ({ g, n: r.model.featureNames[i] })).sort((a, b) => b.g - a.g).slice(0, 10);
  process.stdout.write(
    `\nFraud Detection Handbook, Chapter 3 protocol (test week ${TEST_FROM} … 2018-08-14, ` +
      `${s.transactions} payments, ${s.frauds} frauds)\n\n${formatTable(s)}\n\n` +
      `top features: ${top.map((t) => `${t.n} ${(100 * t.g).toFixed(1)}%`).join(', ')}\n` +
      `training time: ${r.seconds.toFixed(1)} s for ${d.train.rows} payments\n`,
  );
  const out = flag('json');
  if (out !== undefined) {
    writeFileSync(out, JSON.stringify({ score: s, published: PUBLISHED, trainSeconds: r.seconds, replaySeconds: d.seconds, trees: r.model.size }, null, 2) + '\n');
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  await main().catch((e: unknown) => {
    process.stderr.write(`handbook: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
