/**
 * `fengkong report --data DIR --from TS --to TS --out report.html`: the risk assessment report of a
 * data folder's journal (read-only, so beside a running server too) as a self-contained printable
 * HTML file, or its JSON (`--format json`, or an `--out` ending in .json). Progress on a terminal.
 *
 * `--postgres URL [--cluster NAME] [--master-key-file F]` in place of `--data` reports on a
 * cluster's history instead (docs/scale-out.md): the same report, read a page at a time from the
 * PostgreSQL projection, open cases from the cluster's case store. Loaded by `import()` only then.
 */
import { writeFileSync } from 'node:fs';
import { ConfigError, UsageError } from '../errors.js';
import { ENTITY_SCOPES, type EntityScope } from '../policy/backtest-labels.js';
import type { ScanProgress } from '../policy/rule-performance.js';
import { int, pct, yuan } from '../report/format.js';
import { renderRiskReportHtml } from '../report/html.js';
import { isReportLang } from '../report/i18n.js';
import { BOUND_EXPECTED, bucketValue, parseBound } from '../report/range.js';
import { runRiskReport, runRiskReportFrom, type RiskReport, type RiskReportOptions } from '../report/risk-report.js';
import { SqliteCaseQueueReader } from '../store/sqlite/case-queue.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { parseArgs } from './args.js';
import { HISTORY_FLAGS, historyTarget, withClusterHistory, type HistoryTarget } from './history-target.js';
import { Progress } from './progress.js';

const USAGE = `fengkong report --data DIR --from TS --to TS [--out report.html|report.json|-] [--format html|json] [--lang en|zh-CN] [--bucket hour|day|week] [--top N] [--min-payments N] [--entity-labels account,merchant,terminal|none] [--quiet]
       fengkong report --postgres URL [--cluster fengkong] [--master-key-file FILE] --from TS --to TS [same options]
         a cluster's history, read a page at a time from its PostgreSQL projection, open cases from its case store
         (one partition: the only kind of cluster so far); FENGKONG_POSTGRES_URL, FENGKONG_CLUSTER and
         FENGKONG_MASTER_KEY_FILE stand in for the cluster flags`;

/** A --from/--to value (see BOUND_EXPECTED), or a UsageError naming the flag. */
export function cliBound(text: string | undefined, flag: string, usage: string): number | undefined {
  if (text === undefined) return undefined;
  const t = parseBound(text);
  if (!Number.isFinite(t)) throw new UsageError(`--${flag} must be ${BOUND_EXPECTED}; got "${text}"\nusage: ${usage}`);
  return t;
}

/** --entity-labels: a comma-separated list of scopes, or none. */
export function cliScopes(text: string | undefined, usage: string): EntityScope[] | undefined {
  if (text === undefined) return undefined;
  if (text === 'none') return [];
  const list = text.split(',').map((s) => s.trim());
  for (const s of list) {
    if (!(ENTITY_SCOPES as readonly string[]).includes(s)) {
      throw new UsageError(`--entity-labels takes ${ENTITY_SCOPES.join(', ')} (comma-separated) or none, got "${s}"\nusage: ${usage}`);
    }
  }
  return list as EntityScope[];
}

/** Opens a data folder's store read-only, or says there is no journal there. */
export function openJournal(data: string): SqliteStore {
  try {
    return new SqliteStore(data, { readonly: true });
  } catch (e) {
    throw new ConfigError(`no journal to report on in ${data}: ${(e as Error).message}`, { cause: e });
  }
}

/** One progress line for a terminal. */
export function renderScan(what: string, p: ScanProgress): string {
  if (p.phase === 'labels') return `${what}: reading the labels known now`;
  const share = p.lastSeq > 0 ? ((100 * p.seq) / p.lastSeq).toFixed(1) : '100.0';
  return `${what}: journal ${share}% read, ${int(p.payments)} payments counted`;
}

function summary(r: RiskReport): string {
  const t = r.totals;
  return (
    `risk report ${r.range.fromTs} … ${r.range.toTs} (per ${r.bucket}): ${int(t.payments)} payments, ${yuan(t.amount)}; ` +
    `flagged ${pct(t.alertRate)}; fraud ${int(t.fraud.total)}, caught ${int(t.fraud.caught)} (recall ${pct(t.recall)}); ` +
    `money saved ${yuan(t.moneySaved)}, legitimate declined ${yuan(t.legitimateDeclinedAmount)}; ` +
    `PSI ${r.scores.psi === null ? 'n/a' : r.scores.psi.toFixed(4)}; ${(r.run.durationMs / 1000).toFixed(1)} s`
  );
}

/** Runs the report command; returns the process exit code. */
export async function runReportCommand(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(
    args,
    {
      ...HISTORY_FLAGS, from: 'string', to: 'string', out: 'string', format: 'string', lang: 'string', bucket: 'string', top: 'int',
      'min-payments': 'int', 'entity-labels': 'string', quiet: 'switch',
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const target = historyTarget(flags, USAGE);
  const from = cliBound(flags.get('from') as string | undefined, 'from', USAGE);
  const to = cliBound(flags.get('to') as string | undefined, 'to', USAGE);
  if (from === undefined || to === undefined) throw new UsageError(`give --from and --to\nusage: ${USAGE}`);
  if (!(from < to)) throw new UsageError(`--from must be before --to\nusage: ${USAGE}`);
  const out = (flags.get('out') as string | undefined) ?? '-';
  const formatFlag = flags.get('format') as string | undefined;
  const format = formatFlag ?? (out.endsWith('.json') ? 'json' : 'html');
  if (format !== 'html' && format !== 'json') throw new UsageError(`--format takes html or json, got "${format}"\nusage: ${USAGE}`);
  const lang = (flags.get('lang') as string | undefined) ?? 'en';
  if (!isReportLang(lang)) throw new UsageError(`--lang takes en or zh-CN (the HTML report's language), got "${lang}"\nusage: ${USAGE}`);
  const bucketFlag = flags.get('bucket') as string | undefined;
  let bucket;
  try {
    bucket = bucketFlag === undefined ? undefined : bucketValue(bucketFlag);
  } catch {
    throw new UsageError(`--bucket takes hour, day or week, got "${bucketFlag}"\nusage: ${USAGE}`);
  }
  const quiet = flags.get('quiet') === true;
  const entityLabels = cliScopes(flags.get('entity-labels') as string | undefined, USAGE);

  const progress = new Progress();
  const options: RiskReportOptions = {
    from,
    to,
    bucket,
    top: flags.get('top') as number | undefined,
    minPayments: flags.get('min-payments') as number | undefined,
    entityLabels,
    onProgress: quiet ? undefined : (p) => progress.tick(() => renderScan('report', p)),
  };
  let report: RiskReport;
  try {
    report = target.kind === 'cluster' ? await clusterReport(target, options) : dataFolderReport(target.dir, options);
  } finally {
    progress.done();
  }
  const text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderRiskReportHtml(report, lang);
  if (out === '-') {
    process.stdout.write(text);
    if (!quiet) process.stderr.write(summary(report) + '\n');
    return 0;
  }
  try {
    writeFileSync(out, text);
  } catch (e) {
    throw new ConfigError(`cannot write the report to ${out}: ${(e as Error).message}`, { cause: e });
  }
  if (!quiet) process.stdout.write(`${summary(report)}\n  written to ${out}\n`);
  return 0;
}

function dataFolderReport(data: string, options: RiskReportOptions): RiskReport {
  const store = openJournal(data);
  try {
    return runRiskReport({ ...options, journal: store, cases: new SqliteCaseQueueReader(store.database) });
  } finally {
    store.close();
  }
}

async function clusterReport(target: Extract<HistoryTarget, { kind: 'cluster' }>, options: RiskReportOptions): Promise<RiskReport> {
  return withClusterHistory(target, (history) => runRiskReportFrom(history.journal, options, history.cases));
}
