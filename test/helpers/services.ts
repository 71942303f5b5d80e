// Real services for the scale-out tests (docs/scale-out.md, build plan step 1): each call gives a
// fresh, isolated resource — a PostgreSQL database, a Redis key prefix, a NATS cluster name — and
// a way to remove it. An unreachable service fails the test, naming it: these tests never skip.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The PostgreSQL server the tests use, as its superuser on the maintenance database. */
export const POSTGRES_ADMIN_URL = process.env.FENGKONG_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The Redis server the tests use. */
export const REDIS_URL = process.env.FENGKONG_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** A unique cluster name `t_<random>` (letters, digits, _), for NATS streams, subjects and buckets. */
export function clusterName(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

function unreachable(service: string, url: string, e: unknown): Error {
  const u = new URL(url);
  return new Error(`${service} is not reachable at ${u.host} (${(e as Error).message || String(e)}): run .ci/services to start it`, { cause: e });
}

async function adminPostgres(adminUrl: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined); // a FORCE drop elsewhere must not crash the test process
  try {
    await c.connect();
  } catch (e) {
    await c.end().catch(() => undefined);
    throw unreachable('PostgreSQL', adminUrl, e);
  }
  return c;
}

/** A fresh database of its own for one test. */
export interface FreshPostgres {
  /** URL of the new database `fk_<cluster>`. */
  readonly url: string;
  /** A unique cluster name for it (`t_<random>`). */
  readonly cluster: string;
  readonly database: string;
  /** Drops the database, ending any connection still open on it; safe to call twice. */
  drop(): Promise<void>;
}

/** Creates the database `fk_t_<random>` on the test server (as user postgres); drop() removes it. */
export async function freshPostgres(adminUrl = POSTGRES_ADMIN_URL): Promise<FreshPostgres> {
  const cluster = clusterName();
  const database = `fk_${cluster}`;
  const admin = await adminPostgres(adminUrl);
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return {
    url: u.toString(),
    cluster,
    database,
    drop: async () => {
      const a = await adminPostgres(adminUrl);
      try {
        await a.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Whether the database exists on the test server (tests of the helper itself). */
export async function databaseExists(database: string): Promise<boolean> {
  const a = await adminPostgres(POSTGRES_ADMIN_URL);
  try {
    return (await a.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1;
  } finally {
    await a.end();
  }
}

async function adminRedis(url: string): Promise<Redis> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 3000, retryStrategy: () => null, maxRetriesPerRequest: 1 });
  let last: unknown = null;
  r.on('error', (e: unknown) => {
    last = e;
  });
  try {
    await r.connect();
  } catch (e) {
    r.disconnect();
    throw unreachable('Redis', url, last ?? e);
  }
  return r;
}

/** A key prefix of its own on the test Redis for one test. */
export interface FreshRedis {
  readonly url: string;
  /** The cluster whose prefix this is (`t_<random>`). */
  readonly cluster: string;
  /** `fk:<cluster>:` — every key the test makes starts with it. */
  readonly prefix: string;
  /** Deletes every key with the prefix (SCAN + UNLINK); safe to call twice. */
  cleanup(): Promise<void>;
}

/** Hands every key with `prefix` on the test server to `each`, a SCAN batch at a time (never KEYS). */
async function scanPrefix(url: string, prefix: string, each: (r: Redis, keys: string[]) => Promise<void>): Promise<void> {
  const r = await adminRedis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await each(r, keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Every key with `prefix` on the test server (tests of the helper, and of key naming). */
export async function keysWithPrefix(prefix: string): Promise<string[]> {
  const out: string[] = [];
  await scanPrefix(REDIS_URL, prefix, async (_, keys) => {
    out.push(...keys);
  });
  return out;
}

/** Checks that Redis answers, and gives a unique prefix `fk:t_<random>:` with its cleanup. */
export async function freshRedis(url = REDIS_URL): Promise<FreshRedis> {
  (await adminRedis(url)).disconnect();
  const cluster = clusterName();
  const prefix = `fk:${cluster}:`;
  return {
    url,
    cluster,
    prefix,
    cleanup: () =>
      scanPrefix(url, prefix, async (r, keys) => {
        await r.unlink(...keys);
      }),
  };
}
