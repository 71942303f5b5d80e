// Opens a PostgreSQL adapter for the contract suites: a fresh database per test (freshPostgres), a
// master key file of its own in a temp folder, every pool opened on it tracked; `reopen` closes them
// all and opens a new pool (a restarted node), `another` opens a second pool beside (another node),
// and `close` closes every pool, drops the database and removes the key folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgCluster, type PgCluster } from '../../../src/store/postgres/pool.js';
import { freshPostgres } from '../../helpers/services.js';
import type { Open } from '../contract/harness.js';

/** One node's handle on the database: the port(s) and what to release besides the pool. */
export interface PgHandle<P> {
  readonly port: P;
  close?(): void | Promise<void>;
}

/** Where a handle opens: its pool and the cluster's master key file. */
export interface PgPlace {
  readonly pg: PgCluster;
  readonly masterKeyFile: string;
}

/** Runs `fn` with stderr muted: PgCrypt.open writes one line when it creates the master key file. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}

/** The contract harness of an adapter `openOn` opens on a pool (every call: a new pool on the same database). */
export function pgHarness<P>(openOn: (place: PgPlace) => Promise<PgHandle<P>>): Open<P> {
  return async () => {
    const db = await freshPostgres();
    const keys = mkdtempSync(join(tmpdir(), 'fk-pgc-'));
    const masterKeyFile = join(keys, 'master.key');
    let open: { pg: PgCluster; h: PgHandle<P> }[] = [];
    const closeAll = async (): Promise<void> => {
      const all = open.reverse();
      open = [];
      for (const { pg, h } of all) {
        try {
          await h.close?.();
        } finally {
          await pg.close();
        }
      }
    };
    const add = async (): Promise<P> => {
      const pg = await openPgCluster(db.url, db.cluster, { max: 3 });
      try {
        const h = await quietly(() => openOn({ pg, masterKeyFile }));
        open.push({ pg, h });
        return h.port;
      } catch (e) {
        await pg.close();
        throw e;
      }
    };
    const cleanup = async (): Promise<void> => {
      try {
        await closeAll();
      } finally {
        await db.drop();
        rmSync(keys, { recursive: true, force: true });
      }
    };
    let store: P;
    try {
      store = await add();
    } catch (e) {
      await cleanup();
      throw e;
    }
    return {
      store,
      reopen: async () => {
        await closeAll();
        return add();
      },
      another: add,
      close: cleanup,
    };
  };
}
