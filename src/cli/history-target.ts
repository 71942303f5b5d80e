/**
 * Where `fengkong report` and `fengkong backtest` read history: a data folder (`--data DIR`, the
 * SQLite journal) or a cluster (`--postgres URL [--cluster NAME] [--master-key-file F]`, its
 * PostgreSQL projection), with FENGKONG_POSTGRES_URL, FENGKONG_CLUSTER and FENGKONG_MASTER_KEY_FILE
 * standing in for the cluster flags as for `fengkong serve` (a flag wins; `--data` wins over the
 * URL's variable, so a container's environment never overrides a folder given on purpose).
 * Decided before anything is opened, every mix that cannot be meant refused naming the flag.
 */
import { UsageError } from '../errors.js';
import type { ClusterHistory } from '../wiring/cluster/history.js';
import type { ParsedArgs } from './args.js';

/** The flags a history command takes for its target. */
export const HISTORY_FLAGS = { data: 'string', postgres: 'string', cluster: 'string', 'master-key-file': 'string' } as const;

/** A data folder's journal, or a cluster's projection. */
export type HistoryTarget =
  | { readonly kind: 'data'; readonly dir: string }
  | { readonly kind: 'cluster'; readonly postgres: string; readonly cluster: string; readonly masterKeyFile?: string };

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** The target `flags` name (see the module comment); a UsageError quoting `usage` when none or two are. */
export function historyTarget(flags: ParsedArgs['flags'], usage: string, env: NodeJS.ProcessEnv = process.env): HistoryTarget {
  const str = (name: string): string | undefined => flags.get(name) as string | undefined;
  const data = str('data');
  const postgresFlag = str('postgres');
  if (postgresFlag !== undefined && data !== undefined) {
    throw new UsageError(`--data and --postgres name two different journals (a data folder's, a cluster's): give one\nusage: ${usage}`);
  }
  const postgres = postgresFlag ?? (data === undefined ? envValue(env, 'FENGKONG_POSTGRES_URL') : undefined);
  if (postgres === undefined) {
    for (const f of ['cluster', 'master-key-file']) {
      if (flags.has(f)) throw new UsageError(`--${f} is for a cluster's history: give --postgres URL too (or FENGKONG_POSTGRES_URL)\nusage: ${usage}`);
    }
    if (data === undefined) throw new UsageError(`give --data DIR (a data folder) or --postgres URL (a cluster; or FENGKONG_POSTGRES_URL)\nusage: ${usage}`);
    return { kind: 'data', dir: data };
  }
  const mk = str('master-key-file');
  return {
    kind: 'cluster',
    postgres,
    cluster: str('cluster') ?? envValue(env, 'FENGKONG_CLUSTER') ?? 'fengkong',
    ...(mk !== undefined ? { masterKeyFile: mk } : {}),
  };
}

/**
 * Runs `fn` over a cluster's history and closes it after. The cluster's code is loaded here only,
 * by `import()`: the embedded commands never load the PostgreSQL client.
 */
export async function withClusterHistory<T>(target: Extract<HistoryTarget, { kind: 'cluster' }>, fn: (history: ClusterHistory) => Promise<T>): Promise<T> {
  const { openClusterHistory } = await import('../wiring/cluster/history.js');
  const history = await openClusterHistory(target);
  try {
    return await fn(history);
  } finally {
    await history.close();
  }
}
