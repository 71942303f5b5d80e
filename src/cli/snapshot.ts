/**
 * `fengkong snapshot [--data ./data] [--keep 2]`: writes an engine snapshot of the whole journal
 * with the server stopped (it claims the data folder as a server does), so the next start replays
 * nothing: the same rebuild a start does (newest usable snapshot, then the journal after it, under
 * the live policy), then one snapshot file. A running server's checkpointer does this by itself.
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

const USAGE = 'fengkong snapshot [--data ./data] [--keep 2]';

/** Runs `snapshot`; resolves to the exit code. */
export async function runSnapshot(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, { data: 'string', keep: 'int' }, USAGE);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
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
