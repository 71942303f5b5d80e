/**
 * `fengkong replay <events.jsonl|-> [--out decisions.jsonl|-] [--policy DIR]`: streams a file of
 * events of any size through the engine at event time and writes one decision line per payment.
 * Invalid lines are reported (line, field, reason) and skipped; the run always ends with a summary.
 */
import { statSync } from 'node:fs';
import type { FkEvent } from '../contract/events.js';
import { decisionJson } from '../engine/decision.js';
import { Engine } from '../engine/engine.js';
import { loadPolicyWith } from '../engine/policy-source.js';
import { loadModel } from '../model/model-file.js';
import { UsageError } from '../errors.js';
import type { InvalidLine } from '../io/event-batch.js';
import { streamParsedEvents } from '../io/parsed-event-stream.js';
import { LineWriter } from '../io/output.js';
import { parseArgs } from './args.js';
import { StreamCoverage } from './stream-coverage.js';
import { Progress } from './progress.js';

const USAGE = 'fengkong replay <events.jsonl|-> [--out decisions.jsonl|-] [--policy DIR] [--model model.json] [--quiet]';
/** Invalid lines printed one by one; beyond this only counted. */
const MAX_REPORTED = 50;

/** What a replay did, for the summary and for tests. */
export interface ReplaySummary {
  events: number;
  decisions: Record<string, number>;
  invalid: number;
  duplicates: number;
  seconds: number;
  /** What the stream carried and fed, and what its gaps leave quiet (StreamCoverage). */
  stream: string[];
}

/** Runs the replay command; returns the process exit code. */
export async function runReplay(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, { out: 'string', policy: 'string', model: 'string', quiet: 'switch' }, USAGE);
  if (positionals.length !== 1) throw new UsageError(`give exactly one events file (or - for stdin)\nusage: ${USAGE}`);
  const input = positionals[0];
  const outPath = (flags.get('out') as string | undefined) ?? null;
  const quiet = flags.get('quiet') === true;
  const total = input === '-' ? 0 : fileSize(input);
  const modelPath = flags.get('model') as string | undefined;
  const model = modelPath === undefined ? undefined : loadModel(modelPath);
  // a model trained with features from the stream brings their file: compiled in beside the policy's
  const policy = loadPolicyWith(flags.get('policy') as string | undefined, model?.features == null ? [] : [model.features]);
  const op = model?.operatingPoint ?? null;
  if (op !== null && !quiet) {
    process.stderr.write(`replay: the model's operating point (review budget ${(100 * op.budget).toFixed(2)}%): review at score ≥ ${op.review}, challenge ≥ ${op.challenge}, decline ≥ ${op.decline}, in place of the policy's thresholds\n`);
  }
  const summary = await replay(input, outPath, new Engine(policy, { model }), total, quiet);
  const rate = Math.round(summary.events / Math.max(summary.seconds, 1e-9));
  const d = summary.decisions;
  process.stderr.write(
    `replay: ${summary.events} events, ${d.approve + d.review + d.challenge + d.decline} decisions ` +
      `(approve ${d.approve}, review ${d.review}, challenge ${d.challenge}, decline ${d.decline}), ` +
      `${summary.invalid} invalid lines, ${summary.duplicates} duplicate transactions, ` +
      `${summary.seconds.toFixed(2)} s, ${rate} events/s\n`,
  );
  if (!quiet) for (const line of summary.stream) process.stderr.write(`${line}\n`);
  return 0;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    throw new UsageError(`cannot read events file "${path}": does it exist?\nusage: ${USAGE}`);
  }
}

/** The replay loop, separate from argument handling so benchmarks and tests call it directly. */
export async function replay(
  inputPath: string,
  outPath: string | null,
  engine: Engine,
  totalBytes = 0,
  quiet = false,
): Promise<ReplaySummary> {
  const started = performance.now();
  const out = new LineWriter(outPath);
  const progress = new Progress();
  const s: ReplaySummary = {
    events: 0,
    decisions: { approve: 0, review: 0, challenge: 0, decline: 0 },
    invalid: 0,
    duplicates: 0,
    seconds: 0,
    stream: [],
  };
  const coverage = new StreamCoverage();
  const decided = new Set<string>();
  const onInvalid = (bad: InvalidLine): void => {
    s.invalid++;
    if (!quiet && s.invalid <= MAX_REPORTED) {
      process.stderr.write(`line ${bad.lineNo}: ${bad.path || '(event)'}: expected ${bad.expected}\n`);
      if (s.invalid === MAX_REPORTED) process.stderr.write('(further invalid lines are counted, not shown)\n');
    }
  };
  const onEvent = (ev: FkEvent): void => {
    s.events++;
    if (ev.type === 'transaction') {
      // the same id is the same payment, decided once however far apart the two lines are (as the
      // server's journal guarantees); the engine's label index is no duplicate check (it forgets ids)
      if (decided.has(ev.id)) {
        s.duplicates++;
        return;
      }
      decided.add(ev.id);
      coverage.add(ev);
    }
    const d = engine.apply(ev);
    if (d !== null) {
      s.decisions[d.outcome]++;
      out.write(decisionJson(d));
    }
  };
  // lines are parsed and validated on a second thread while this one decides
  await streamParsedEvents(inputPath, {
    onEvent,
    onInvalid,
    onBatch: async ({ bytes }) => {
      if (out.full) await out.flush();
      if (!quiet) {
        progress.tick(() => {
          const pct = totalBytes > 0 ? ` ${((100 * bytes) / totalBytes).toFixed(1)}%` : '';
          const rate = Math.round(s.events / ((performance.now() - started) / 1000));
          return `replay:${pct} ${s.events} events, ${rate} events/s, ${s.invalid} invalid`;
        });
      }
    },
  });
  await out.close();
  progress.done();
  s.seconds = (performance.now() - started) / 1000;
  s.stream = coverage.lines(engine.reference);
  return s;
}
