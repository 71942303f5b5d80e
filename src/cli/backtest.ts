/**
 * `fengkong backtest --data DIR --policy DIR [--from TS] [--to TS] [--out report.json]`: runs a draft
 * policy over the journal of a data folder (read-only, so beside a running server too) and compares
 * it with what the live policy answered. Prints a short summary; `--out` writes the full JSON report
 * (`--out -` writes it to stdout and the summary to stderr).
 *
 * `--postgres URL [--cluster NAME] [--master-key-file F]` in place of `--data` replays a cluster's
 * history instead (docs/scale-out.md), a page at a time from its PostgreSQL projection, with the
 * cluster's lists, and the account and merchant actions at the positions its journal placed them.
 */
import { writeFileSync } from 'node:fs';
import { parseTimestamp } from '../contract/time.js';
import { storeActionSteps, storeLists } from '../store/sqlite/side-inputs.js';
import { ConfigError, UsageError } from '../errors.js';
import { BUILTINS } from '../features/catalog.js';
import { loadModel } from '../model/model-file.js';
import { runBacktest, runBacktestFrom, type BacktestOptions, type BacktestProgress } from '../policy/backtest.js';
import type { BacktestReport } from '../policy/backtest-report.js';
import { formatBacktest } from '../policy/backtest-format.js';
import { ENTITY_SCOPES, type EntityScope } from '../policy/backtest-labels.js';
import { loadPolicyDir } from '../rules/load.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { parseArgs } from './args.js';
import { HISTORY_FLAGS, historyTarget, withClusterHistory, type HistoryTarget } from './history-target.js';
import { Progress } from './progress.js';

const USAGE = `fengkong backtest --data DIR --policy DIR [--from TS] [--to TS] [--out report.json|-] [--model model.json] [--warm-up-days N] [--max-changed N] [--entity-labels account,merchant,terminal|none] [--quiet]
       fengkong backtest --postgres URL [--cluster fengkong] [--master-key-file FILE] --policy DIR [same options]
         a cluster's history, replayed a page at a time from its PostgreSQL projection, with the cluster's lists
         (one partition: the only kind of cluster so far) and the account and merchant actions where its
         journal placed them, as live decided under them.
         FENGKONG_POSTGRES_URL, FENGKONG_CLUSTER and FENGKONG_MASTER_KEY_FILE stand in for the cluster flags`;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY = 86_400_000;

/** A --from/--to value: a contract timestamp, a date (midnight +08:00) or epoch milliseconds. */
function bound(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const t = /^\d+$/.test(text) ? Number(text) : parseTimestamp(DATE_ONLY.test(text) ? `${text}T00:00:00+08:00` : text);
  if (!Number.isFinite(t)) {
    throw new UsageError(
      `--${flag} must be a timestamp like 2026-11-01T00:00:00+08:00, a date like 2026-11-01 or epoch ms, got "${text}"\nusage: ${USAGE}`,
    );
  }
  return t;
}

function scopes(text: string | undefined): EntityScope[] | undefined {
  if (text === undefined) return undefined;
  if (text === 'none') return [];
  const list = text.split(',').map((s) => s.trim());
  for (const s of list) {
    if (!(ENTITY_SCOPES as readonly string[]).includes(s)) {
      throw new UsageError(`--entity-labels takes ${ENTITY_SCOPES.join(', ')} (comma-separated) or none, got "${s}"\nusage: ${USAGE}`);
    }
  }
  return list as EntityScope[];
}

function render(p: BacktestProgress): string {
  const pct = p.lastSeq > 0 ? ((100 * p.seq) / p.lastSeq).toFixed(1) : '100.0';
  if (p.phase === 'labels') return `backtest: reading labels ${pct}%`;
  const rate = Math.round(p.events / Math.max(p.elapsedMs / 1000, 1e-3));
  return `backtest: ${pct}% of the journal, ${p.events} events, ${p.transactions} payments compared, ${rate} events/s`;
}

/** Runs the backtest command; returns the process exit code. */
export async function runBacktestCommand(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(
    args,
    {
      ...HISTORY_FLAGS, policy: 'string', from: 'string', to: 'string', out: 'string', model: 'string',
      'warm-up-days': 'int', 'max-changed': 'int', 'entity-labels': 'string', quiet: 'switch',
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const target = historyTarget(flags, USAGE);
  const policyDir = flags.get('policy') as string | undefined;
  if (policyDir === undefined) throw new UsageError(`give --policy DIR (the draft to backtest)\nusage: ${USAGE}`);
  const from = bound(flags.get('from') as string | undefined, 'from');
  const to = bound(flags.get('to') as string | undefined, 'to');
  if (from !== undefined && to !== undefined && !(from < to)) throw new UsageError(`--from must be before --to\nusage: ${USAGE}`);
  const outPath = flags.get('out') as string | undefined;
  const quiet = flags.get('quiet') === true;
  const warmDays = flags.get('warm-up-days') as number | undefined;
  const modelPath = flags.get('model') as string | undefined;

  const draft = loadPolicyDir(policyDir, BUILTINS);
  const model = modelPath === undefined ? undefined : loadModel(modelPath);
  const progress = new Progress();
  const options: BacktestOptions = {
    draft,
    model,
    from,
    to,
    warmUpMs: warmDays === undefined ? undefined : warmDays * DAY,
    maxChanged: flags.get('max-changed') as number | undefined,
    entityLabels: scopes(flags.get('entity-labels') as string | undefined),
    onProgress: quiet ? undefined : (p) => progress.tick(() => render(p)),
  };
  let report: BacktestReport;
  try {
    report = target.kind === 'cluster' ? await clusterBacktest(target, options) : dataFolderBacktest(target.dir, options);
  } finally {
    progress.done();
  }
  const json = JSON.stringify(report, null, 2) + '\n';
  const summary = formatBacktest(report);
  if (outPath === '-') {
    process.stdout.write(json);
    if (!quiet) process.stderr.write(summary);
    return 0;
  }
  if (outPath !== undefined) {
    try {
      writeFileSync(outPath, json);
    } catch (e) {
      throw new ConfigError(`cannot write the report to ${outPath}: ${(e as Error).message}`, { cause: e });
    }
  }
  process.stdout.write(summary + (outPath !== undefined ? `  full report: ${outPath}\n` : ''));
  return 0;
}

function dataFolderBacktest(data: string, options: BacktestOptions): BacktestReport {
  let store: SqliteStore;
  try {
    store = new SqliteStore(data, { readonly: true });
  } catch (e) {
    throw new ConfigError(`no journal to backtest in ${data}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return runBacktest({ ...options, journal: store, actions: (engine) => storeActionSteps(store.database, engine), lists: storeLists(store.database) });
  } finally {
    store.close();
  }
}

async function clusterBacktest(target: Extract<HistoryTarget, { kind: 'cluster' }>, options: BacktestOptions): Promise<BacktestReport> {
  return withClusterHistory(target, async (history) => runBacktestFrom(history.journal, { ...options, lists: await history.lists(), actions: await history.actionSteps() }));
}
