/**
 * The stores a cluster's command-line tools and nodes share, opened in one step: the pool on
 * schema `fk_<c>`, migrated once, the cluster's data keys (PgCrypt), its API keys and its audit
 * log — the audit log sealing with the same PgCrypt, so one master key file is read once. It lives
 * in the scale-out composition because it loads `pg` (through src/store/postgres/): the CLI reaches
 * it only by `import()`, when `--postgres` is given, so the embedded default never loads the driver.
 */
import { FengkongError, StoreError } from '../../errors.js';
import { checkClusterName } from '../../store/cluster-name.js';
import { PgAuditLog } from '../../store/postgres/audit.js';
import { clusterMasterKeyFile, PgCrypt } from '../../store/postgres/crypt.js';
import { PgKeyStore } from '../../store/postgres/keys.js';
import { migrate } from '../../store/postgres/migrate.js';
import { openPgCluster, type PgCluster } from '../../store/postgres/pool.js';

/** Where the cluster is and how to open it: the flags `--postgres`, `--cluster`, `--master-key-file`. */
export interface ClusterStoreOptions {
  /** PostgreSQL URL (`postgres://user@host:5432/db`); named, password hidden, by every error. */
  readonly postgres: string;
  /** Cluster name (schema `fk_<cluster>`), checked by checkClusterName. */
  readonly cluster: string;
  /** The master key file; else FENGKONG_MASTER_KEY_FILE (a cluster has no default, see crypt.ts). */
  readonly masterKeyFile?: string;
  /** Pool connections at most (default 10; a one-shot command needs 2). */
  readonly poolMax?: number;
  /** A command that only reads: refuse a cluster whose schema is missing instead of creating it (PgPoolOptions.mustExist). */
  readonly mustExist?: boolean;
}

/** A cluster's shared stores, open on one pool; close() ends it (so a command can exit). */
export interface ClusterStores {
  readonly pg: PgCluster;
  readonly crypt: PgCrypt;
  readonly keys: PgKeyStore;
  readonly audit: PgAuditLog;
  /** Ends the pool's connections; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens the stores of cluster `opts.cluster` on `opts.postgres`: the name and the master key file
 * are checked before any connection (a ConfigError naming the flag), then the pool is opened, the
 * schema migrated and the data keys, keys and audit log opened. Any failure after the pool opened
 * ends it before the error is thrown, and the error names the URL (a StoreError wraps one that does
 * not), so a failed command leaves nothing open and says where it failed.
 */
export async function openClusterStores(opts: ClusterStoreOptions): Promise<ClusterStores> {
  const cluster = checkClusterName(opts.cluster);
  const masterKeyFile = clusterMasterKeyFile(opts.masterKeyFile);
  const pg = await openPgCluster(opts.postgres, cluster, { ...(opts.poolMax !== undefined ? { max: opts.poolMax } : {}), ...(opts.mustExist === true ? { mustExist: true } : {}) });
  try {
    await migrate(pg);
    const crypt = await PgCrypt.open(pg, { masterKeyFile });
    return { pg, crypt, keys: new PgKeyStore(pg), audit: new PgAuditLog(pg, crypt), close: () => pg.close() };
  } catch (e) {
    await pg.close().catch(() => undefined);
    throw namingUrl(e, cluster, pg.where);
  }
}

/** `e` when it already names `where`; otherwise a StoreError that does, keeping `e` as its cause. */
function namingUrl(e: unknown, cluster: string, where: string): unknown {
  if (e instanceof FengkongError && e.message.includes(where)) return e;
  const text = e instanceof FengkongError ? e.message : e instanceof Error ? e.message : String(e);
  return new StoreError(`cannot open cluster ${cluster} on PostgreSQL at ${where}: ${text}`, { cause: e });
}
