/**
 * `fengkong eval --decisions d.jsonl --truth t.jsonl [--events events.jsonl] [--k 100] [--json] [--html FILE]`:
 * how good a run of decisions was against the ground truth — the figures a risk team and a
 * published benchmark both quote, recall against the share of legitimate payments flagged among
 * them — as a table, as JSON for CI, or as a printable page with the curve drawn.
 */
import { writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { renderEvalHtml } from '../report/eval-html.js';
import { readEvalRows } from '../eval/read.js';
import { evaluate, formatReport, reportJson } from '../eval/report.js';
import { parseArgs } from './args.js';

const USAGE = 'fengkong eval --decisions d.jsonl --truth t.jsonl [--events events.jsonl] [--k 100] [--json] [--html report.html]';

/** Where the report goes (stdout by default; tests pass their own). */
export interface TextSink {
  write(text: string): unknown;
}

/** Runs the eval command; returns the process exit code. */
export async function runEval(args: string[], out: TextSink = process.stdout): Promise<number> {
  const { positionals, flags } = parseArgs(
    args,
    { decisions: 'string', truth: 'string', events: 'string', k: 'int', json: 'switch', html: 'string' },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const decisions = flags.get('decisions') as string | undefined;
  const truth = flags.get('truth') as string | undefined;
  if (decisions === undefined || truth === undefined) throw new UsageError(`--decisions and --truth are required\nusage: ${USAGE}`);
  const k = (flags.get('k') as number | undefined) ?? 100;
  if (k < 1) throw new UsageError(`--k must be at least 1\nusage: ${USAGE}`);
  const rows = await readEvalRows(decisions, truth, (flags.get('events') as string | undefined) ?? null);
  const report = evaluate(rows, k);
  out.write(flags.get('json') === true ? reportJson(report) : formatReport(report));
  const html = flags.get('html') as string | undefined;
  if (html !== undefined) {
    try {
      writeFileSync(html, renderEvalHtml(report, decisions));
    } catch (e) {
      throw new UsageError(`--html: cannot write ${html}: ${(e as Error).message}`);
    }
    process.stderr.write(`eval: the page with the curve is in ${html}\n`);
  }
  return 0;
}
