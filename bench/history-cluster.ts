/**
 * `fengkong report` and `fengkong backtest` on a cluster's history (--postgres, the PostgreSQL
 * projection read a page at a time) against the same history in a data folder (--data, SQLite).
 *
 * The journal is a simulated world decided by the default policy (bench/journal-cache.ts, cached in
 * --cache), projected into a fresh database with PgJournalProjection (sealed, 2,000 entries a
 * transaction; timed: that is the projector's floor, not the projector). Then, as child processes
 * (the real CLI), alternating, best of --rounds: the report of the whole month and of its second
 * half, and a backtest of the default policy over the last week, on both. Prints seconds and the
 * cluster/data-folder ratio. The database is dropped at the end.
 *
 * usage: node dist/bench/history-cluster.js [--postgres postgres://postgres@127.0.0.1:5432/postgres]
 *          [--accounts 10000] [--days 30] [--cache /tmp/hc-bench] [--rounds 1]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PACKAGE_ROOT } from '../src/engine/policy-source.js';
import type { JournalEntry } from '../src/log/journal.js';
import { PgCrypt } from '../src/store/postgres/crypt.js';
import { PgJournalProjection } from '../src/store/postgres/journal-projection.js';
import { openPgCluster } from '../src/store/postgres/pool.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { buildJournal, simulate } from './journal-cache.js';
import { answerHelp, flag } from './util.js';

const USAGE = `usage: node dist/bench/history-cluster.js [--postgres postgres://postgres@127.0.0.1:5432/postgres]
         [--accounts 10000] [--days 30] [--cache /tmp/hc-bench] [--rounds 1]`;
answerHelp(USAGE);

const ADMIN = flag('postgres') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ACCOUNTS = flag('accounts') ?? '10000';
const DAYS = flag('days') ?? '30';
const CACHE = flag('cache') ?? '/tmp/hc-bench';
const ROUNDS = Number(flag('rounds') ?? '1');
const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');

function timed(args: readonly string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [FENGKONG, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - t0;
}

async function main(): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const name = `s7-a${ACCOUNTS}-d${DAYS}`;
  const data = join(CACHE, `journal-${name}`);
  if (!existsSync(join(data, 'fengkong.db'))) await buildJournal(simulate(join(CACHE, `world-${name}`), '7', ACCOUNTS, DAYS), data);

  const tag = randomBytes(4).toString('hex');
  const cluster = `hc_${tag}`;
  const database = `fk_bench_${tag}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  const u = new URL(ADMIN);
  u.pathname = `/${database}`;
  const url = u.toString();
  const keyFile = join(CACHE, `${cluster}.key`);
  try {
    const pool = await openPgCluster(url, cluster, { max: 2 });
    let entries = 0;
    let payments = 0;
    try {
      const crypt = await PgCrypt.open(pool, { masterKeyFile: keyFile });
      const projection = await PgJournalProjection.open(pool, crypt);
      const store = new SqliteStore(data, { readonly: true });
      const t0 = performance.now();
      let batch: JournalEntry[] = [];
      let chain = Promise.resolve();
      store.forEachEvent((e) => {
        batch.push(e);
        entries++;
        if (e.type === 'transaction') payments++;
        if (batch.length === 2000) {
          const b = batch;
          batch = [];
          chain = chain.then(() => projection.project(0, b).then(() => undefined));
        }
      });
      store.close();
      await chain;
      await projection.project(0, batch);
      const ms = performance.now() - t0;
      console.log(`history-cluster: ${entries.toLocaleString('en-US')} entries (${payments.toLocaleString('en-US')} payments) projected in ${(ms / 1000).toFixed(1)} s (${Math.round((entries / ms) * 1000).toLocaleString('en-US')}/s); load ${loadavg()[0].toFixed(2)}`);
      await pool.pool.query('ANALYZE journal');
    } finally {
      await pool.close();
    }

    const where = ['--postgres', url, '--cluster', cluster, '--master-key-file', keyFile];
    const start = new Date(Date.UTC(2026, 9, 1) - 8 * 3_600_000);
    const day = (n: number): string => new Date(start.getTime() + n * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const d = Number(DAYS);
    const runs: [string, string[]][] = [
      [`report, whole period ${day(0)} … ${day(d)}`, ['report', '--from', day(0), '--to', day(d), '--format', 'json', '--out', join(CACHE, 'r.json'), '--quiet']],
      [`report, second half ${day(Math.floor(d / 2))} … ${day(d)}`, ['report', '--from', day(Math.floor(d / 2)), '--to', day(d), '--format', 'json', '--out', join(CACHE, 'r.json'), '--quiet']],
      [`backtest of the default policy, last week ${day(d - 7)} … ${day(d)}`, ['backtest', '--policy', join(PACKAGE_ROOT, 'rules'), '--from', day(d - 7), '--to', day(d), '--out', join(CACHE, 'b.json'), '--quiet']],
    ];
    for (const [label, args] of runs) {
      let lite = Infinity;
      let clus = Infinity;
      for (let r = 0; r < ROUNDS; r++) {
        lite = Math.min(lite, timed([...args, '--data', data]));
        clus = Math.min(clus, timed([...args, ...where]));
      }
      console.log(`  ${label}: --data ${(lite / 1000).toFixed(2)} s, --postgres ${(clus / 1000).toFixed(2)} s (${(clus / lite).toFixed(2)}×)`);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
    await admin.end();
    rmSync(keyFile, { force: true });
  }
}

await main();
