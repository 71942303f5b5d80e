/**
 * `fengkong train <events.jsonl> --out model.json [--from TS] [--to TS] [--policy DIR] [--seed N]`:
 * replays the file through a fresh engine so every feature is computed exactly as it will be when
 * deciding live (point in time, nothing from the future), keeps the vectors of the payments inside
 * the window, labels them from the file's `label` events (a txId label with fraud:true = fraud, no
 * label = legitimate) and trains a gradient-boosted model on them.
 */
import { statSync } from 'node:fs';
import type { FkEvent } from '../contract/events.js';
import { parseEventText } from '../contract/parse.js';
import { parseTimestamp } from '../contract/time.js';
import { Engine } from '../engine/engine.js';
import { loadPolicy } from '../engine/policy-source.js';
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
  '[--rounds N] [--depth N] [--quiet]';

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
  readonly featureNames: string[];
  readonly events: number;
  readonly invalid: number;
  readonly labelled: number;
  readonly seconds: number;
}

/**
 * Replays `path` through `engine` and keeps the feature vector of every payment with
 * from ≤ ts < to. Labels are gathered from the whole file, the latest label of a txId winning
 * (a chargeback reversed later is legitimate).
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
  const labels = new Map<string, { t: number; fraud: boolean }>();
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
    if (ev.type === 'label') {
      if (ev.txId !== undefined) {
        const prev = labels.get(ev.txId);
        if (prev === undefined || ev.t >= prev.t) labels.set(ev.txId, { t: ev.t, fraud: ev.fraud });
      }
      engine.apply(ev);
      return;
    }
    if (ev.type === 'transaction') {
      if (seen.has(ev.id)) return;
      seen.add(ev.id);
      engine.apply(ev);
      if (ev.t >= from && ev.t < to) rowOf.set(ev.id, rows.add(engine.lastVector.num, ev.t));
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
  for (const [txId, l] of labels) {
    const row = rowOf.get(txId);
    if (row !== undefined && l.fraud) {
      rows.setLabel(row, 1);
      labelled++;
    }
  }
  return { rows, featureNames, events, invalid, labelled, seconds: (performance.now() - started) / 1000 };
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
  const spec = { out: 'string', from: 'string', to: 'string', policy: 'string', seed: 'int', rounds: 'int', depth: 'int', quiet: 'switch' } as const;
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

  const engine = new Engine(loadPolicy(flags.get('policy') as string | undefined));
  const c = await collectRows(input, engine, from, to, quiet, size);
  if (c.rows.rows < 2) throw new UsageError(`only ${c.rows.rows} payments fall in the training window; widen --from/--to\nusage: ${USAGE}`);
  if (c.labelled === 0) process.stderr.write('train: warning: no payment in the window has a fraud label; the model will learn nothing\n');
  const r = trainOnRows(c, params, fromText, toText);
  saveModel(r.model, out);

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
      `train: model written to ${out}\n`,
  );
  return 0;
}
