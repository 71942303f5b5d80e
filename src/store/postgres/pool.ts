/**
 * The PostgreSQL side of a cluster: one `pg.Pool` per node whose every connection works in the
 * cluster's schema `fk_<c>` (search_path set at connection start-up, so no query names the schema
 * and several clusters share one database). Opening creates the schema when missing and fails fast,
 * naming the URL, when the server cannot be reached.
 */
import { escapeIdentifier, Pool } from 'pg';
import { ConfigError, FengkongError, StoreError } from '../../errors.js';
import { checkClusterName } from '../cluster-name.js';
import { describeCause, redactUrl } from '../service-messages.js';
import { underLock } from './tx.js';

/** A cluster's pool and the names it works under; close() ends every connection. */
export interface PgCluster {
  readonly pool: Pool;
  readonly cluster: string;
  /** The schema every connection's search_path names: `fk_<cluster>`. */
  readonly schema: string;
  /** The URL with its password hidden, for messages. */
  readonly where: string;
  close(): Promise<void>;
}

/** Pool sizing and patience; the defaults suit one node. */
export interface PgPoolOptions {
  /** Connections at most (default 10). */
  readonly max?: number;
  /** How long a connection attempt may take before the open fails (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Refuse (a ConfigError) instead of creating the schema when it is missing: for a command that
   * only reads a cluster (a report), where a mistyped --cluster must not leave a new schema behind.
   */
  readonly mustExist?: boolean;
}

/** The schema of cluster `c`. */
export function schemaOf(cluster: string): string {
  return `fk_${checkClusterName(cluster)}`;
}

/**
 * The pool config for `url` with search_path on the schema: start-up `options` given in the URL are
 * kept (pg lets the URL's `options` replace a config's, so they are merged here).
 */
function configFor(url: string, schema: string): { connectionString: string; options: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw new StoreError(`${redactUrl(url)} is not a PostgreSQL URL: give one like postgres://user@host:5432/database (--postgres)`, { cause: e });
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new StoreError(`${redactUrl(url)} is not a PostgreSQL URL: give one like postgres://user@host:5432/database (--postgres)`);
  }
  const given = u.searchParams.get('options');
  u.searchParams.delete('options');
  const searchPath = `-c search_path=${escapeIdentifier(schema)}`;
  return { connectionString: u.toString(), options: given === null || given === '' ? searchPath : `${given} ${searchPath}` };
}

/**
 * Opens cluster `cluster` on the PostgreSQL server at `url`: the pool, and the schema created if
 * missing (under an advisory lock, so nodes starting together do not race on it). A StoreError
 * naming the URL when the server does not answer in time or refuses the connection.
 */
export async function openPgCluster(url: string, cluster: string, opts: PgPoolOptions = {}): Promise<PgCluster> {
  const schema = schemaOf(cluster);
  const where = redactUrl(url);
  const pool = new Pool({
    ...configFor(url, schema),
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    application_name: `fengkong ${cluster}`,
  });
  // an idle connection the server drops (restart, failover) must not crash the node: the pool replaces it
  pool.on('error', (e) => process.stderr.write(`fengkong: PostgreSQL ${where}: idle connection lost: ${e.message}\n`));
  let found = true;
  try {
    if (opts.mustExist === true) found = (await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
    else {
      await underLock(pool, schema, 'schema', async (c) => {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(schema)}`);
      });
    }
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new StoreError(
      `cannot open cluster ${cluster} on PostgreSQL at ${where}: ${describeCause(e)} — check the URL (--postgres) and that the server is up and accepts this user`,
      { cause: e },
    );
  }
  if (!found) {
    await pool.end().catch(() => undefined);
    throw new ConfigError(`there is no cluster ${cluster} on PostgreSQL at ${where} (no schema ${schema}): check --cluster and --postgres`);
  }
  let closed: Promise<void> | null = null;
  return {
    pool,
    cluster,
    schema,
    where,
    close: () => (closed ??= pool.end()),
  };
}

/**
 * Runs `fn` for an adapter of `pg`, turning a driver failure into a StoreError that says what was
 * being done and where; the project's own errors (a ConflictError the port promises) pass as they are.
 */
export async function asStoreError<T>(pg: PgCluster, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FengkongError) throw e;
    throw new StoreError(`cannot ${what} (schema ${pg.schema} on ${pg.where}): ${(e as Error).message}`, { cause: e });
  }
}
