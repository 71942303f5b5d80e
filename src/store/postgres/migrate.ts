/**
 * Brings a cluster's schema to the version this code expects. Each migration runs in its own
 * transaction with its schema_version row, under the schema's advisory lock, so nodes starting at
 * once migrate it exactly once and a failed migration leaves the schema at the version before it.
 */
import type { PoolClient } from 'pg';
import { StoreError } from '../../errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import type { PgCluster } from './pool.js';
import { underLock } from './tx.js';

const VERSION_DDL = `
CREATE TABLE IF NOT EXISTS schema_version (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;

async function currentVersion(c: PoolClient): Promise<number> {
  const r = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
  return r.rows[0]?.v ?? 0;
}

/**
 * Applies the migrations of `list` (default: all) that the schema lacks and returns the versions
 * applied. A schema newer than the code is refused, not touched: an older node must not write into
 * tables it does not know.
 */
export async function migrate(pg: PgCluster, list: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new StoreError(`migration ${m.name} is numbered ${m.version}, expected ${i + 1}: migrations are numbered 1, 2, … in order`);
  });
  const applied: number[] = [];
  for (;;) {
    const step = await underLock(pg.pool, pg.schema, 'migrate', async (c) => {
      await c.query(VERSION_DDL);
      const at = await currentVersion(c);
      if (at > list.length) {
        throw new StoreError(
          `schema ${pg.schema} on ${pg.where} is at version ${at}, newer than this fengkong knows (${list.length}): run the newer fengkong, or another --cluster`,
        );
      }
      const next = list[at];
      if (next === undefined) return null;
      try {
        await c.query(next.sql);
      } catch (e) {
        throw new StoreError(`migration ${next.version} (${next.name}) of schema ${pg.schema} on ${pg.where} failed: ${(e as Error).message}`, { cause: e });
      }
      await c.query('INSERT INTO schema_version (version, name) VALUES ($1, $2)', [next.version, next.name]);
      return next.version;
    });
    if (step === null) return applied;
    applied.push(step);
  }
}

/** The version the schema is at (0 before any migration). */
export async function schemaVersion(pg: PgCluster): Promise<number> {
  const r = await pg.pool.query<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t");
  if (r.rows[0]?.t === null || r.rows[0]?.t === undefined) return 0;
  const v = await pg.pool.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
  return v.rows[0]?.v ?? 0;
}
