/**
 * A fresh cluster for a benchmark, as a user would create one: its own PostgreSQL database and
 * cluster name, a master key file and an admin key made with the real CLI; `drop()` removes the
 * database, the NATS stream and bucket and the folder. Shared by the benches that start nodes.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connectCluster, deleteClusterObjects } from '../src/store/nats/connect.js';
import { FENGKONG } from './serve-child.js';

/** PostgreSQL with the right to create databases; FENGKONG_TEST_POSTGRES overrides. */
export const POSTGRES_ADMIN = process.env.FENGKONG_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** NATS with JetStream; FK_NATS_URL overrides. */
export const NATS = process.env.FK_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A bench's cluster before any node runs. */
export interface BenchCluster {
  readonly name: string;
  /** The cluster's PostgreSQL URL. */
  readonly postgres: string;
  readonly masterKeyFile: string;
  /** `--postgres … --cluster … --master-key-file …`: what every node and command of it takes. */
  readonly base: readonly string[];
  /** An admin key. */
  readonly key: string;
  drop(): Promise<void>;
}

/** Creates the database, the folder and an admin key of a new cluster named `<prefix>_<random>`. */
export async function benchCluster(prefix: string): Promise<BenchCluster> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const database = `fk_${name}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  await admin.end();
  const u = new URL(POSTGRES_ADMIN);
  u.pathname = `/${database}`;
  const dir = mkdtempSync(join(tmpdir(), 'fk-bench-cluster-'));
  const masterKeyFile = join(dir, 'master.key');
  const base = ['--postgres', u.toString(), '--cluster', name, '--master-key-file', masterKeyFile];
  const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', ...base], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  return {
    name,
    postgres: u.toString(),
    masterKeyFile,
    base,
    key,
    async drop() {
      const nc = await connectCluster({ url: NATS, cluster: name });
      await deleteClusterObjects(nc.jsm, nc.names);
      await nc.close();
      const a = new pg.Client({ connectionString: POSTGRES_ADMIN });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
      await a.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
