/**
 * Writing and restoring a partition's engine snapshot (docs/scale-out.md, "Followers and takeover"):
 * the embedded store's snapshot format and checks, with the file kept in PostgreSQL and the journal in
 * JetStream. A snapshot is used only when it holds every window group the policy needs and the
 * journal entry at its seq is the very entry it was made from; anything else is skipped with the
 * reason and the partition is replayed from an older snapshot or from its first entry.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../engine/engine.js';
import { readEngineSnapshot, writeEngineSnapshot } from '../../engine/snapshot/engine-snapshot.js';
import { FAST_WRITE, readSnapshotHeader, type SnapshotHeader, type SnapshotSeal } from '../../engine/snapshot/format.js';
import { windowGroupSignatures } from '../../engine/window-groups.js';
import type { JournalEntry } from '../../log/journal.js';
import type { PayloadSealer } from '../../log/payload-sealer.js';
import { markOf } from '../../log/restore.js';
import type { CompiledPolicy } from '../../rules/policy-types.js';
import type { NatsCluster } from '../../store/nats/connect.js';
import { readJournal, type JournalEnd } from '../../store/nats/journal-reader.js';
import type { PgPartitionSnapshots } from '../../store/postgres/partition-snapshots.js';

/** Runs `fn` with a private temporary folder, removed after. */
function inTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'fk-partition-snapshot-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What one snapshot write did. */
export interface PartitionSnapshotWritten {
  readonly seq: number;
  readonly bytes: number;
  readonly encodeMs: number;
}

/**
 * Writes `engine` — which holds exactly the partition's entries up to `at.seq`, the last of them
 * `last` — as the partition's snapshot at `at`, sealed with `seal`. The engine must not change meanwhile.
 */
export async function writePartitionSnapshot(opts: {
  readonly store: PgPartitionSnapshots;
  readonly partition: number;
  readonly engine: Engine;
  readonly at: JournalEnd;
  readonly last: JournalEntry;
  readonly policyName: string;
  readonly writer: string;
  readonly seal: SnapshotSeal | null;
}): Promise<PartitionSnapshotWritten> {
  const { at, last } = opts;
  if (last.seq !== at.seq || at.seq === 0) throw new Error(`a snapshot at entry ${at.seq} needs that entry, got ${last.seq}`);
  const written = inTempDir((dir) => {
    const w = writeEngineSnapshot(opts.engine, dir, { seq: at.seq, policy: { name: opts.policyName, key: null, modelHash: null }, writer: opts.writer, mark: markOf(last) }, FAST_WRITE, opts.seal);
    return { bytes: readFileSync(w.file), encodeMs: w.encodeMs };
  });
  await opts.store.put({ partition: opts.partition, seq: at.seq, streamSeq: at.streamSeq, writer: opts.writer, bytes: written.bytes });
  return { seq: at.seq, bytes: written.bytes.length, encodeMs: written.encodeMs };
}

/** The engine a partition starts from. */
export interface RestoredPartition {
  readonly engine: Engine;
  /** Where the engine stands: entries up to `position.seq` are in it (0, 0: none, a fresh engine). */
  readonly position: JournalEnd;
  readonly header: SnapshotHeader | null;
  /** Snapshots passed over, and why. */
  readonly skipped: readonly string[];
  readonly ms: number;
}

/**
 * The newest usable snapshot of `partition` loaded into an engine from `create`, or a fresh engine at
 * (0, 0) when none is usable. `usable(seq)` may refuse a snapshot for the caller's own reasons (a
 * projection that does not reach it yet). Never throws for a bad snapshot.
 */
export async function restorePartition(opts: {
  readonly cluster: NatsCluster;
  readonly store: PgPartitionSnapshots;
  readonly partition: number;
  readonly policy: CompiledPolicy;
  readonly create: () => Engine;
  readonly seal: SnapshotSeal | null;
  /** Opens the journal's messages (the cluster's data keys). */
  readonly journalSealer: PayloadSealer | null;
  readonly usable?: (seq: number) => Promise<string | null>;
}): Promise<RestoredPartition> {
  const started = performance.now();
  const needed = windowGroupSignatures(opts.policy.windows);
  const skipped: string[] = [];
  for (const info of await opts.store.list(opts.partition)) {
    const name = `snapshot of partition ${opts.partition} at entry ${info.seq}`;
    const refuse = await opts.usable?.(info.seq);
    if (refuse !== undefined && refuse !== null) {
      skipped.push(`${name}: ${refuse}`);
      continue;
    }
    const bytes = await opts.store.read(opts.partition, info.seq);
    if (bytes === undefined) continue; // pruned meanwhile
    // the journal entry the snapshot claims to end with, read from JetStream at the message it names
    let entry: JournalEntry | undefined;
    try {
      for await (const e of readJournal(opts.cluster, opts.partition, { fromSeq: info.seq, toSeq: info.seq, startStreamSeq: info.streamSeq, sealer: opts.journalSealer })) entry = e;
    } catch (e) {
      skipped.push(`${name}: its journal entry cannot be read (${(e as Error).message})`);
      continue;
    }
    const loaded = inTempDir((dir): { engine: Engine; header: SnapshotHeader } | string => {
      const file = join(dir, 'snapshot.fks');
      writeFileSync(file, bytes);
      let header: SnapshotHeader;
      try {
        header = readSnapshotHeader(file).header;
      } catch (e) {
        return `unreadable: ${(e as Error).message}`;
      }
      const have = new Set(header.windowGroups);
      const missing = needed.filter((s) => !have.has(s));
      if (missing.length > 0) return `made for other windows (policy ${header.policy.name}): no state for ${missing.length} window group(s) of this policy`;
      if (header.seq !== info.seq) return `its header says entry ${header.seq}, its row ${info.seq}`;
      if (entry === undefined) return `journal entry ${info.seq} is not in JetStream at or after message ${info.streamSeq}`;
      const m = markOf(entry);
      if (header.mark === null || header.mark.receivedAt !== m.receivedAt || header.mark.eventCrc32 !== m.eventCrc32) {
        return `journal entry ${info.seq} differs from the one it was made from (another journal under this cluster name?)`;
      }
      const engine = opts.create();
      try {
        readEngineSnapshot(file, engine, opts.seal);
      } catch (e) {
        return `corrupt: ${(e as Error).message}`;
      }
      return { engine, header };
    });
    if (typeof loaded === 'string') {
      skipped.push(`${name}: ${loaded}`);
      continue;
    }
    return { engine: loaded.engine, position: { seq: info.seq, streamSeq: info.streamSeq }, header: loaded.header, skipped, ms: performance.now() - started };
  }
  return { engine: opts.create(), position: { seq: 0, streamSeq: 0 }, header: null, skipped, ms: performance.now() - started };
}
