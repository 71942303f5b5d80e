/**
 * `fengkong rules performance --data DIR [--from TS] [--to TS] [--bucket day] [--json] [--out FILE]`:
 * per rule (reason code), the payments it hit in the journal of a data folder (read-only), what was
 * decided on them, fraud among them by the labels known now, and its precision. A table on the
 * terminal; `--json` (or `--out`) gives the full report with the per-bucket series. With
 * `--postgres URL [--cluster NAME] [--master-key-file F]` in place of `--data`, the same of a
 * cluster's history (its PostgreSQL projection, read a page at a time; docs/scale-out.md).
 */
import { writeFileSync } from 'node:fs';
import { ConfigError, UsageError } from '../errors.js';
import { runRulePerformance, runRulePerformanceFrom, type RulePerformanceOptions, type RulePerformanceReport, type RuleRow } from '../policy/rule-performance.js';
import { int, pct, yuan } from '../report/format.js';
import { bucketValue, type Bucket } from '../report/range.js';
import { HelpRequested, parseArgs } from './args.js';
import { HISTORY_FLAGS, historyTarget, withClusterHistory, type HistoryTarget } from './history-target.js';
import { Progress } from './progress.js';
import { cliBound, cliScopes, openJournal, renderScan } from './report.js';

const USAGE = `fengkong rules performance --data DIR [--from TS] [--to TS] [--bucket hour|day|week] [--json] [--out FILE|-] [--entity-labels account,merchant,terminal|none] [--quiet]
       fengkong rules performance --postgres URL [--cluster fengkong] [--master-key-file FILE] [same options]
         a cluster's history, read a page at a time from its PostgreSQL projection (one partition: the only kind of
         cluster so far); FENGKONG_POSTGRES_URL, FENGKONG_CLUSTER and FENGKONG_MASTER_KEY_FILE stand in for the cluster flags`;

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
}

/** The report as a table: one line per code, the totals last. */
export function formatRulePerformance(r: RulePerformanceReport): string {
  const head = ['reason', 'hits', 'declined', 'challenged', 'reviewed', 'approved', 'fraud', 'precision', 'recall', 'value hit'];
  const line = (x: RuleRow, name = x.code): string[] => [
    name,
    int(x.hits),
    int(x.outcomes.decline),
    int(x.outcomes.challenge),
    int(x.outcomes.review),
    int(x.outcomes.approve),
    int(x.fraud),
    pct(x.precision, 1),
    pct(x.recall, 1),
    yuan(x.amount),
  ];
  const rows = [...r.rules.map((x) => line(x)), line(r.totals, 'all payments')];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((c) => c[i].length)));
  const out = [
    `rule performance ${r.range.fromTs ?? 'the start'} … ${r.range.toTs ?? 'the end'}: ${int(r.totals.hits)} payments, ` +
      `${int(r.labels.fraud)} fraud by the labels known now (${int(r.labels.unlabelled)} unlabelled, counted legitimate); ` +
      `${r.rules.length} reason codes; ${(r.run.durationMs / 1000).toFixed(1)} s`,
    '',
    row(head, widths),
    ...rows.map((c) => row(c, widths)),
  ];
  return out.join('\n') + '\n';
}

/** `fengkong rules <subcommand>`; returns the process exit code. */
export async function runRules(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'help' || sub === '--help' || sub === '-h') throw new HelpRequested(USAGE);
  if (sub !== 'performance') throw new UsageError(`unknown rules command "${sub ?? ''}"\nusage: ${USAGE}`);
  const { positionals, flags } = parseArgs(
    rest,
    { ...HISTORY_FLAGS, from: 'string', to: 'string', bucket: 'string', json: 'switch', out: 'string', 'entity-labels': 'string', quiet: 'switch' },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const target = historyTarget(flags, USAGE);
  const from = cliBound(flags.get('from') as string | undefined, 'from', USAGE);
  const to = cliBound(flags.get('to') as string | undefined, 'to', USAGE);
  if (from !== undefined && to !== undefined && !(from < to)) throw new UsageError(`--from must be before --to\nusage: ${USAGE}`);
  const bucketFlag = flags.get('bucket') as string | undefined;
  let bucket: Bucket = 'day';
  if (bucketFlag !== undefined) {
    try {
      bucket = bucketValue(bucketFlag);
    } catch {
      throw new UsageError(`--bucket takes hour, day or week, got "${bucketFlag}"\nusage: ${USAGE}`);
    }
  }
  const quiet = flags.get('quiet') === true;
  const progress = new Progress();
  const options: RulePerformanceOptions = {
    from,
    to,
    bucket,
    entityLabels: cliScopes(flags.get('entity-labels') as string | undefined, USAGE),
    onProgress: quiet ? undefined : (p) => progress.tick(() => renderScan('rules performance', p)),
  };
  let report: RulePerformanceReport;
  try {
    report = target.kind === 'cluster' ? await clusterRulePerformance(target, options) : dataFolderRulePerformance(target.dir, options);
  } finally {
    progress.done();
  }
  const out = flags.get('out') as string | undefined;
  const json = JSON.stringify(report, null, 2) + '\n';
  if (out !== undefined && out !== '-') {
    try {
      writeFileSync(out, json);
    } catch (e) {
      throw new ConfigError(`cannot write the report to ${out}: ${(e as Error).message}`, { cause: e });
    }
  }
  if (flags.get('json') === true || out === '-') process.stdout.write(json);
  else process.stdout.write(formatRulePerformance(report) + (out !== undefined ? `  full report: ${out}\n` : ''));
  return 0;
}

function dataFolderRulePerformance(data: string, options: RulePerformanceOptions): RulePerformanceReport {
  const store = openJournal(data);
  try {
    return runRulePerformance({ ...options, journal: store });
  } finally {
    store.close();
  }
}

async function clusterRulePerformance(target: Extract<HistoryTarget, { kind: 'cluster' }>, options: RulePerformanceOptions): Promise<RulePerformanceReport> {
  return withClusterHistory(target, (history) => runRulePerformanceFrom(history.journal, options));
}
