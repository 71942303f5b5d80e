/**
 * `fengkong snapshot [--data ./data] [--keep 2]`: writes an engine snapshot of the whole journal
 * with the server stopped (it claims the data folder as a server does), so the next start replays
 * nothing: the same rebuild a start does (newest usable snapshot, then the journal after it, under
 * the live policy), then one snapshot file. A running server's checkpointer does this by itself.
 *
 * `fengkong snapshot --nats URL --postgres URL [--cluster NAME]`: the same for a cluster's partition,
 * beside running nodes (docs/scale-out.md): the snapshot goes into PostgreSQL, and nodes starting
 * later replay only the JetStream journal after it. Run it on a schedule.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { snapshotsDir } from '../engine/snapshot/engine-snapshot.js';
import { Replica } from '../wiring/replica.js';
import { describeRestore } from '../log/restore.js';
import { ConfigError, UsageError } from '../errors.js';
import { claimDataDir } from '../server/lock.js';
import { SqlitePolicyStore } from '../store/sqlite/policies.js';
import { DB_FILE } from '../store/sqlite/schema.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { parseArgs } from './args.js';

const USAGE = `fengkong snapshot [--data ./data] [--keep 2]
       fengkong snapshot --nats URL --postgres URL [--cluster fengkong] [--keep 2] [--master-key-file FILE]
         a cluster partition's snapshot, beside running nodes (with the policies the cluster's journal placed)`;

/** Runs `snapshot`; resolves to the exit code. */
export async function runSnapshot(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(
    args,
    { data: 'string', keep: 'int', nats: 'string', postgres: 'string', cluster: 'string', policy: 'string', model: 'string', 'master-key-file': 'string' },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  for (const f of ['policy', 'model']) {
    if (flags.has(f)) throw new UsageError(`--${f}: a snapshot is made with the policy that decided (a data folder's live version; on a cluster, the versions its journal placed), never another; leave --${f} out\nusage: ${USAGE}`);
  }
  if (flags.has('nats') || flags.has('postgres')) return runClusterSnapshot(flags);
  for (const f of ['cluster', 'master-key-file']) {
    if (flags.has(f)) throw new UsageError(`--${f} is for a cluster's snapshot: give --nats URL and --postgres URL too (a data folder's snapshot uses the folder's live policy and key)\nusage: ${USAGE}`);
  }
  const dataDir = resolve((flags.get('data') as string | undefined) ?? './data');
  const keep = Math.max(1, (flags.get('keep') as number | undefined) ?? 2);
  if (!existsSync(join(dataDir, DB_FILE))) throw new ConfigError(`no ${DB_FILE} in ${dataDir}: nothing to snapshot`);
  const release = claimDataDir(dataDir);
  const store = new SqliteStore(dataDir, { readonly: true });
  try {
    let policies: SqlitePolicyStore;
    try {
      policies = new SqlitePolicyStore(store.database);
    } catch (e) {
      throw new ConfigError(`${dataDir} holds no policy versions yet (start the server once): ${(e as Error).message}`, { cause: e });
    }
    const started = performance.now();
    const replica = new Replica(store, policies, snapshotsDir(dataDir));
    const restored = replica.build();
    process.stderr.write(`fengkong snapshot: ${describeRestore(restored, replica.status().seq - restored.seq)}\n`);
    const w = replica.writeSnapshot('cli', keep);
    if (w === null) {
      process.stdout.write(`${restored.file} already covers the whole journal (seq ${restored.seq})\n`);
      return 0;
    }
    process.stdout.write(
      `${w.file}: journal seq ${w.header.seq}, ${(w.header.bodyBytes / 1048576).toFixed(1)} MB, ` +
        `${w.header.counts.accounts} accounts, in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    store.close();
    release();
  }
}

/** `snapshot --nats … --postgres …`; resolves to the exit code. */
async function runClusterSnapshot(flags: Map<string, string | number | boolean>): Promise<number> {
  const nats = flags.get('nats') as string | undefined;
  const postgres = flags.get('postgres') as string | undefined;
  if (nats === undefined || postgres === undefined) throw new UsageError(`a cluster's snapshot needs both --nats URL and --postgres URL\nusage: ${USAGE}`);
  if (flags.has('data')) throw new UsageError(`--data is for a data folder; a cluster keeps its snapshots in PostgreSQL\nusage: ${USAGE}`);
  const str = (k: string): string | undefined => flags.get(k) as string | undefined;
  // loaded here only: the embedded commands never load the services' client libraries
  const { snapshotClusterPartition } = await import('../wiring/cluster/snapshot-command.js');
  const r = await snapshotClusterPartition({
    nats,
    postgres,
    ...(str('cluster') !== undefined ? { cluster: str('cluster') } : {}),
    ...(str('master-key-file') !== undefined ? { masterKeyFile: str('master-key-file') } : {}),
    keep: Math.max(1, (flags.get('keep') as number | undefined) ?? 2),
    log: (line) => process.stderr.write(`fengkong snapshot: ${line}\n`),
  });
  if (r.replayed === 0) {
    process.stdout.write(`the snapshot at entry ${r.seq} already covers partition 0's whole journal\n`);
    return 0;
  }
  process.stdout.write(
    `partition 0: snapshot at journal entry ${r.seq} (${r.replayed} entries replayed after entry ${r.restoredFrom}), ` +
      `${(r.bytes / 1048576).toFixed(1)} MB in PostgreSQL, ${r.pruned} older pruned, in ${(r.ms / 1000).toFixed(1)} s\n`,
  );
  return 0;
}
