// One test's PostgreSQL: a fresh database, and the cluster pools opened on it, closed (last opened
// first) before the database is dropped, whatever the test did.
import type { TestContext } from 'node:test';
import { openPgCluster, type PgCluster, type PgPoolOptions } from '../../../src/store/postgres/pool.js';
import { freshPostgres, type FreshPostgres } from '../../helpers/services.js';

/** A fresh database for `t` and a way to open pools on it, all removed when `t` ends. */
export interface TestPostgres {
  readonly db: FreshPostgres;
  /** Opens a pool for cluster `cluster` (default: the database's own cluster name). */
  open(cluster?: string, opts?: PgPoolOptions): Promise<PgCluster>;
  /** Registers another cleanup to run before the pools close. */
  defer(fn: () => Promise<unknown> | unknown): void;
}

export async function testPostgres(t: TestContext): Promise<TestPostgres> {
  const db = await freshPostgres();
  const undo: (() => Promise<unknown> | unknown)[] = [];
  t.after(async () => {
    try {
      for (const fn of undo.reverse()) await fn();
    } finally {
      await db.drop();
    }
  });
  return {
    db,
    open: async (cluster = db.cluster, opts = { max: 3 }) => {
      const p = await openPgCluster(db.url, cluster, opts);
      undo.push(() => p.close());
      return p;
    },
    defer: (fn) => {
      undo.push(fn);
    },
  };
}
