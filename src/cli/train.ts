/**
 * `fengkong train <events.jsonl> --out model.json [--from TS] [--to TS] [--policy DIR] [--seed N]`:
 * replays the file through a fresh engine so every feature is computed exactly as it will be when
 * deciding live (point in time, nothing from the future), keeps the vectors of the payments inside
 * the window, labels them from the file's `label` events (a txId label with fraud:true = fraud, no
 * label = legitimate) and trains a gradient-boosted model on them.
 */
import { statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FkEvent } from '../contract/events.js';
import { combinedScore } from '../engine/decision.js';
import type { ModelFeatures, OperatingPoint } from '../model/gbdt-model.js';
import { chooseOperatingPoint, floorShare, type PointRow } from '../model/operating-point.js';
import type { Outcome } from '../rules/policy-types.js';
import { parseEventText } from '../contract/parse.js';
import { parseTimestamp } from '../contract/time.js';
import { Engine } from '../engine/engine.js';
import { loadPolicy, loadPolicyWith } from '../engine/policy-source.js';
import { candidateFeatures, featureFile, type GeneratedFeature } from '../model/auto-features.js';
import { chooseGenerated } from '../model/auto-select.js';
import { ContractError, UsageError } from '../errors.js';
import { forEachLine, openInput } from '../io/lines.js';
import { RowCollector } from '../model/dataset.js';
import { numericSlotNames } from '../model/feature-names.js';
import { trainGbdt, type GbdtParams, type TrainResult } from '../model/gbdt-train.js';
import { saveModel } from '../model/model-file.js';
import { parseArgs } from './args.js';
import { Progress } from './progress.js';

const USAGE =
  'fengkong train <events.jsonl> --out model.json [--from TS] [--to TS] [--policy DIR] [--seed N] ' +
  '[--rounds N] [--depth N] [--review-budget 0.5%] [--features auto|none] [--quiet]\n' +
  '  --features auto: also generate features from the stream (windows of count, sum, mean, max and distinct\n' +
  '  counterparts per account, terminal, merchant, device, IP and account × merchant over 1h/1d/7d/30d), keep the\n' +
  '  ones the model leans on and write them to <out>.features.fk, bound to the model (replay --model compiles them)\n' +
  '  --review-budget: the share of legitimate payments the team can look at; sets the review, challenge and decline\n' +
  '  thresholds of rules and model together on the latest held-out slice (kept in the model file, used while it decides)';

/** `0.5%` or `0.005`: a share from 0 (exclusive) to 1. */
export function parseBudget(text: string): number {
  const t = text.trim();
  const v = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  if (t === '' || t === '%' || !(v > 0 && v < 1)) throw new UsageError(`--review-budget must be a share of legitimate payments like 0.5% (or 0.005), got "${text}"\nusage: ${USAGE}`);
  return v;
}

/** A plain date (YYYY-MM-DD) means local midnight in China, where the payments happen. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Epoch ms of a --from/--to value: a contract timestamp or a date (midnight +08:00). */
export function parseWindowBound(text: string, flag: string): number {
  const t = parseTimestamp(DATE_ONLY.test(text) ? `${text}T00:00:00+08:00` : text);
  if (Number.isNaN(t)) {
    throw new UsageError(`--${flag} must be a timestamp like 2026-11-01T00:00:00+08:00 or a date like 2026-11-01, got "${text}"\nusage: ${USAGE}`);
  }
  return t;
}

/** Rows collected from one replay, with their labels attached. */
export interface CollectedRows {
  readonly rows: RowCollector;
  /** Per row (same index): what the rules alone asked for (score, outcome floor, allow) and the fraud's typology from its label ('' when none). */
  readonly verdicts: readonly { readonly score: number; readonly floor: Outcome; readonly allowed: boolean }[];
  readonly typologies: readonly string[];
  readonly featureNames: string[];
  readonly events: number;
  readonly invalid: number;
  readonly labelled: number;
  readonly seconds: number;
}

/**
 * Replays `path` through `engine` and keeps the feature vector of every payment with
 * from ≤ ts < to. Labels are gathered from the whole file, the latest label of a txId winning
 * (a chargeback reversed later is legitimate); other events from `to` on are read, not applied.
 */
export async function collectRows(
  path: string,
  engine: Engine,
  from: number,
  to: number,
  quiet = false,
  totalBytes = 0,
): Promise<CollectedRows> {
  const started = performance.now();
  const featureNames = numericSlotNames(engine.currentPolicy);
  const rows = new RowCollector(featureNames.length, 1 << 14);
  const rowOf = new Map<string, number>();
  const labels = new Map<string, { t: number; fraud: boolean; typology: string }>();
  const verdicts: { score: number; floor: Outcome; allowed: boolean }[] = [];
  const seen = new Set<string>();
  const progress = new Progress();
  let events = 0;
  let invalid = 0;
  let bytes = 0;
  const onLine = (line: string, lineNo: number): void => {
    if (line.length === 0) return;
    let ev: FkEvent;
    try {
      ev = parseEventText(line);
    } catch (e) {
      if (!(e instanceof ContractError)) throw e;
      if (!quiet && ++invalid <= 20) process.stderr.write(`line ${lineNo}: ${e.path || '(event)'}: expected ${e.expected}\n`);
      return;
    }
    events++;
    // past the window nothing can change a kept row (features are point in time): only labels matter there
    if (ev.t >= to && ev.type !== 'label') return;
    if (ev.type === 'label') {
      if (ev.txId !== undefined) {
        const prev = labels.get(ev.txId);
        if (prev === undefined || ev.t >= prev.t) labels.set(ev.txId, { t: ev.t, fraud: ev.fraud, typology: ev.typology ?? '' });
      }
      engine.apply(ev);
      return;
    }
    if (ev.type === 'transaction') {
      if (seen.has(ev.id)) return;
      seen.add(ev.id);
      engine.apply(ev);
      if (ev.t >= from && ev.t < to) {
        rowOf.set(ev.id, rows.add(engine.lastVector.num, ev.t));
        verdicts.push(engine.lastRulesVerdict());
      }
      return;
    }
    engine.apply(ev);
  };
  await forEachLine(openInput(path), onLine, (n) => {
    bytes += n;
    if (!quiet) {
      progress.tick(() => {
        const pct = totalBytes > 0 ? ` ${((100 * bytes) / totalBytes).toFixed(1)}%` : '';
        return `train: replaying${pct}, ${events} events, ${rows.rows} rows`;
      });
    }
  });
  progress.done();
  let labelled = 0;
  const typologies = new Array<string>(verdicts.length).fill('');
  for (const [txId, l] of labels) {
    const row = rowOf.get(txId);
    if (row !== undefined && l.fraud) {
      rows.setLabel(row, 1);
      typologies[row] = l.typology;
      labelled++;
    }
  }
  return { rows, verdicts, typologies, featureNames, events, invalid, labelled, seconds: (performance.now() - started) / 1000 };
}

/** Trains on collected rows. */
export function trainOnRows(c: CollectedRows, params: Partial<GbdtParams>, from: string | null, to: string | null): TrainResult {
  const v = c.rows.view();
  return trainGbdt(
    { x: v.x, width: c.rows.width, rows: v.rows, y: v.y, time: v.time, featureNames: c.featureNames },
    params,
    { from, to },
  );
}

function fmt(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

/** Runs the train command; returns the process exit code. */
export async function runTrain(args: string[]): Promise<number> {
  const spec = { out: 'string', from: 'string', to: 'string', policy: 'string', seed: 'int', rounds: 'int', depth: 'int', 'review-budget': 'string', features: 'string', quiet: 'switch' } as const;
  const { positionals, flags } = parseArgs(args, spec, USAGE);
  if (positionals.length !== 1) throw new UsageError(`give exactly one events file\nusage: ${USAGE}`);
  const input = positionals[0];
  const out = flags.get('out') as string | undefined;
  if (out === undefined) throw new UsageError(`--out model.json is required\nusage: ${USAGE}`);
  const fromText = (flags.get('from') as string | undefined) ?? null;
  const toText = (flags.get('to') as string | undefined) ?? null;
  const from = fromText === null ? -Infinity : parseWindowBound(fromText, 'from');
  const to = toText === null ? Infinity : parseWindowBound(toText, 'to');
  if (!(from < to)) throw new UsageError(`--from must be before --to\nusage: ${USAGE}`);
  const quiet = flags.get('quiet') === true;
  const budgetText = flags.get('review-budget') as string | undefined;
  const budget = budgetText === undefined ? null : parseBudget(budgetText);
  const featureMode = (flags.get('features') as string | undefined) ?? 'none';
  if (featureMode !== 'auto' && featureMode !== 'none') throw new UsageError(`--features must be auto or none, got "${featureMode}"\nusage: ${USAGE}`);
  let size = 0;
  try {
    size = statSync(input).size;
  } catch {
    throw new UsageError(`cannot read events file "${input}": does it exist?\nusage: ${USAGE}`);
  }
  const params: Partial<GbdtParams> = {};
  if (flags.has('seed')) params.seed = flags.get('seed') as number;
  if (flags.has('rounds')) params.rounds = Math.max(1, flags.get('rounds') as number);
  if (flags.has('depth')) params.maxDepth = Math.max(1, flags.get('depth') as number);

  const policyDir = flags.get('policy') as string | undefined;
  const generated = featureMode === 'auto' ? candidateFeatures({ device: true, ip: true }) : [];
  const candidateFile = { file: '95-auto-candidates.fk', text: featureFile(generated, generated, 'every candidate') };
  const engine = new Engine(generated.length === 0 ? loadPolicy(policyDir) : loadPolicyWith(policyDir, [candidateFile]));
  const c = await collectRows(input, engine, from, to, quiet, size);
  if (c.rows.rows < 2) throw new UsageError(`only ${c.rows.rows} payments fall in the training window; widen --from/--to\nusage: ${USAGE}`);
  if (c.labelled === 0) process.stderr.write('train: warning: no payment in the window has a fraud label; the model will learn nothing\n');
  let r: TrainResult;
  let featureLines = '';
  let features: ModelFeatures | null = null;
  if (generated.length > 0) ({ r, features, line: featureLines } = keepGenerated(c, generated, params, { from: fromText, to: toText }, out));
  else r = trainOnRows(c, params, fromText, toText);
  let model = features === null ? r.model : r.model.withFeatures(features);
  let pointLines = '';
  if (budget !== null) {
    if (r.reportSlice === null) throw new UsageError(`--review-budget needs held-out rows to set the thresholds on; the window has too few payments\nusage: ${USAGE}`);
    const y = c.rows.view().y;
    const slice: PointRow[] = Array.from(r.reportSlice.rows, (row, i) => {
      const v = c.verdicts[row];
      return { score: combinedScore(r.reportSlice!.probability[i], v.score), floor: v.floor, allowed: v.allowed, fraud: y[row] > 0, typology: c.typologies[row] };
    });
    const op = chooseOperatingPoint(slice, budget);
    model = model.withOperatingPoint(op);
    pointLines = operatingPointLines(op, floorShare(slice));
  }
  saveModel(model, out);

  const tr = r.model.training;
  const m = r.model.metrics;
  const top = tr === null ? [] : tr.importance.map((g, i) => ({ g, name: r.model.featureNames[i] })).sort((a, b) => b.g - a.g).slice(0, 8);
  process.stderr.write(
    `train: ${c.events} events replayed in ${c.seconds.toFixed(1)} s (${c.invalid} invalid lines); ` +
      `${c.rows.rows} payments in the window, ${c.labelled} labelled fraud\n` +
      `train: ${r.model.size} trees (best of ${r.roundsRun}${r.stoppedEarly ? ', stopped early' : ''}), ` +
      `positive weight ${fmt(tr?.positiveWeight, 1)}, ${r.seconds.toFixed(1)} s\n` +
      `train: held out the latest ${tr?.validationRows ?? 0} rows (${tr?.validationPositives ?? 0} frauds)` +
      (tr?.slices === undefined ? '' : `: early stopping on ${tr.slices.stop.rows} (${tr.slices.stop.positives} frauds), calibration on the next ${tr.slices.calibration.rows} (${tr.slices.calibration.positives}), reported on the latest ${tr.slices.report.rows} (${tr.slices.report.positives})`) +
      `\ntrain: reported slice: ROC AUC ${fmt(m?.auc)}, AP ${fmt(m?.averagePrecision)}, log loss ${fmt(m?.logLoss)}\n` +
      `train: top features: ${top.map((t) => `${t.name} ${(100 * t.g).toFixed(1)}%`).join(', ')}\n` +
      featureLines +
      pointLines +
      `train: model written to ${out}\n`,
  );
  return 0;
}

/**
 * `--features auto` (auto-select.ts chooseGenerated): the generated features a selection model leans
 * on, kept only when a model with them beats one with the policy's own features on the latest slice;
 * their file is written beside the model. Returns the model to keep and what to say.
 */
function keepGenerated(
  c: CollectedRows,
  generated: readonly GeneratedFeature[],
  params: Partial<GbdtParams>,
  ctx: { from: string | null; to: string | null },
  out: string,
): { r: TrainResult; features: ModelFeatures | null; line: string } {
  const v = c.rows.view();
  const { kept, own, withKept, keep } = chooseGenerated({ x: v.x, width: c.rows.width, rows: v.rows, y: v.y, time: v.time, featureNames: c.featureNames }, generated, params, ctx);
  const figures =
    `reported-slice AP ${fmt(own.model.metrics?.averagePrecision)} / log loss ${fmt(own.model.metrics?.logLoss)} with the policy's own features, ` +
    `${fmt(withKept.model.metrics?.averagePrecision)} / ${fmt(withKept.model.metrics?.logLoss)} with the ${kept.length} kept`;
  if (!keep) {
    return { r: own, features: null, line: `train: features from the stream: none kept — the ${kept.length} the model leaned on did not help (${figures}); the model uses the policy's own features\n` };
  }
  const file = `${basename(out).replace(/\.json$/i, '')}.features.fk`;
  const features = { file, text: featureFile(kept, generated, `${kept.length} of ${generated.length} candidates, for ${basename(out)}`) };
  writeFileSync(join(dirname(out), file), features.text);
  const names = `${kept.slice(0, 8).map((f) => f.name).join(', ')}${kept.length > 8 ? ', …' : ''}`;
  return { r: withKept, features, line: `train: features from the stream: kept ${kept.length} of ${generated.length} candidates (${figures}) in ${join(dirname(out), file)}: ${names}\n` };
}

/** What train says of the operating point it set: the thresholds, and what they gave on the slice. */
function operatingPointLines(op: OperatingPoint, floor: number): string {
  const pct = (v: number, d = 2): string => (Number.isFinite(v) ? `${(100 * v).toFixed(d)}%` : 'n/a');
  const s = op.slice;
  let text =
    `train: review budget ${pct(op.budget)}: review at score ≥ ${op.review}, challenge ≥ ${op.challenge}, decline ≥ ${op.decline} ` +
    `(kept in the model file; they replace the policy's thresholds while this model decides)\n` +
    `train: on the latest held-out slice (${s.rows} payments, ${s.frauds} frauds): ${pct(s.legitimateFlagged, 3)} of legitimate payments flagged, recall ${pct(s.recall)}\n`;
  if (floor > op.budget) text += `train: warning: the rules' own outcomes already flag ${pct(floor, 3)} of legitimate payments, more than the budget\n`;
  const typ = Object.entries(s.typologies).sort((a, b) => a[0].localeCompare(b[0]));
  if (typ.length > 0) text += `train: expected recall per typology: ${typ.map(([k, e]) => `${k} ${pct(e.flagged / e.frauds, 1)} (${e.frauds})`).join(', ')}\n`;
  return text;
}
