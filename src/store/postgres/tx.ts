/**
 * Transactions on the cluster's pool, and the advisory locks that make a start-up step (creating
 * the schema, migrating it, creating the first data key) happen once when several nodes start at the
 * same moment: PostgreSQL serializes them, nothing home-made.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

/** The transaction the current async call chain runs in, and the pool it belongs to. */
const scope = new AsyncLocalStorage<{ readonly pool: Pool; readonly client: PoolClient }>();

/**
 * The connection of the transaction `inScope` opened on `pool` for the calling async chain, or null
 * outside one: adapters sharing a pool (a policy store and its audit log) write through it, so what
 * they write inside one `atomically` commits together.
 */
export function scopedClient(pool: Pool): PoolClient | null {
  const s = scope.getStore();
  return s !== undefined && s.pool === pool ? s.client : null;
}

/**
 * Runs `fn` in one transaction on `pool` that every adapter of the pool joins (scopedClient) until
 * it settles, holding the advisory lock of `purpose` in `schema`; inside such a transaction already,
 * `fn` simply joins it (nested calls are part of the outer transaction).
 */
export function inScope<T>(pool: Pool, schema: string, purpose: string, fn: () => Promise<T>): Promise<T> {
  const joined = scopedClient(pool);
  if (joined !== null) return joined.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey(schema, purpose)]).then(fn);
  return underLock(pool, schema, purpose, (client) => scope.run({ pool, client }, fn));
}

/**
 * The advisory lock key of `purpose` in `schema`: 64 bits of a hash, so two clusters sharing a
 * database never wait on each other and two purposes of one cluster never collide.
 */
export function advisoryKey(schema: string, purpose: string): string {
  return createHash('sha256').update(`fengkong\u0000${schema}\u0000${purpose}`).digest().readBigInt64BE(0).toString();
}

/**
 * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it
 * throws (and the connection dropped if even the rollback fails, so no pool user inherits it).
 */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    try {
      await c.query('ROLLBACK');
    } catch (r) {
      broken = r as Error;
    }
    throw e;
  } finally {
    c.release(broken);
  }
}

/**
 * inTransaction holding the transaction-scoped advisory lock of `purpose` in `schema`: concurrent
 * callers on any node run one after the other, each seeing what the previous one committed.
 */
export function underLock<T>(pool: Pool, schema: string, purpose: string, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey(schema, purpose)]);
    return fn(c);
  });
}

/**
 * inScope that never waits for the lock (background work must not queue behind a writer): `ran`
 * false, with nothing written, when another transaction holds the advisory lock of `purpose` now.
 * Its commit does not wait for the WAL flush (synchronous_commit off): like SQLite's background
 * transactions it is durable with the next flushed commit, so callers keep what they write re-derivable.
 */
export async function inScopeIfFree<T>(pool: Pool, schema: string, purpose: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const tryLock = async (c: PoolClient): Promise<boolean> =>
    (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [advisoryKey(schema, purpose)])).rows[0]?.ok === true;
  const joined = scopedClient(pool);
  if (joined !== null) return (await tryLock(joined)) ? { ran: true, value: await fn() } : { ran: false };
  return inTransaction(pool, async (client) => {
    await client.query('SET LOCAL synchronous_commit = off');
    if (!(await tryLock(client))) return { ran: false as const };
    return { ran: true as const, value: await scope.run({ pool, client }, fn) };
  });
}
