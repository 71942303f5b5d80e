/**
 * Transactions on the cluster's pool, and the advisory locks that make a start-up step (creating
 * the schema, migrating it, creating the first data key) happen once when several nodes start at the
 * same moment: PostgreSQL serializes them, nothing home-made.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

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
