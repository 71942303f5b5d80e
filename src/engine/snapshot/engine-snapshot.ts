/**
 * Whole-engine snapshot files in a data folder's `snapshots/` folder: `engine-<seq>.fks`, the
 * engine's state after journal entries 1 … seq. Writing encodes the engine (Engine.writeSnapshot)
 * and writes the file atomically; reading checks both checksums before decoding anything.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine.js';
import { SnapshotReader, SnapshotWriter } from '../../codec/codec.js';
import { readSnapshotFile, writeSnapshotFile, type JournalMark, type SnapshotHeader, type SnapshotPolicy, type WritePacing, type SnapshotSeal } from './format.js';

/** The folder of a data folder's snapshots. */
export function snapshotsDir(dataDir: string): string {
  return join(dataDir, 'snapshots');
}

const NAME = /^engine-(\d+)\.fks$/;

/** File name of the snapshot covering `seq` (zero-padded, so names sort like seqs). */
export function snapshotFileName(seq: number): string {
  return `engine-${String(seq).padStart(12, '0')}.fks`;
}

/** One snapshot file found in the folder (not yet checked). */
export interface SnapshotFile {
  readonly file: string;
  readonly seq: number;
}

/** The snapshot files of `dir`, newest (highest seq) first; none when the folder is missing. */
export function listSnapshots(dir: string): SnapshotFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: SnapshotFile[] = [];
  for (const n of names) {
    const m = NAME.exec(n);
    if (m !== null) out.push({ file: join(dir, n), seq: Number(m[1]) });
  }
  return out.sort((a, b) => b.seq - a.seq);
}

/** Removes all but the `keep` newest snapshots; returns the files removed. */
export function pruneSnapshots(dir: string, keep: number): string[] {
  const old = listSnapshots(dir).slice(Math.max(1, keep));
  for (const s of old) rmSync(s.file, { force: true });
  return old.map((s) => s.file);
}

/** Removes temp files a crash left behind mid-write (they are never read). Call only as the folder's one writer. */
export function removeTempFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const gone = names.filter((n) => n.startsWith('.') && n.endsWith('.tmp')).map((n) => join(dir, n));
  for (const f of gone) rmSync(f, { force: true });
  return gone;
}

/** What writing one snapshot did. */
export interface WrittenSnapshot {
  readonly file: string;
  readonly header: SnapshotHeader;
  /** Milliseconds encoding the engine (the engine must not change meanwhile) and writing the file. */
  readonly encodeMs: number;
  readonly writeMs: number;
}

/** What a snapshot header records beside the state. */
export interface SnapshotMeta {
  /** The journal entries 1 … seq are applied to the engine, and nothing after. */
  readonly seq: number;
  readonly policy: SnapshotPolicy;
  readonly writer: string;
  /** Identity of journal entry `seq` (null for seq 0). */
  readonly mark: JournalMark | null;
}

/**
 * Writes `engine` as the snapshot of `meta.seq` into `dir` (created when missing), atomically,
 * paced by `pacing` (default FAST_WRITE). Synchronous: the engine must not change while it runs
 * (a checkpointer's replica, a stopped engine).
 */
export function writeEngineSnapshot(engine: Engine, dir: string, meta: SnapshotMeta, pacing?: WritePacing, seal: SnapshotSeal | null = null): WrittenSnapshot {
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const w = new SnapshotWriter();
  engine.writeSnapshot(w);
  const body = w.finish();
  const encoded = performance.now();
  const file = join(dir, snapshotFileName(meta.seq));
  const header = writeSnapshotFile(
    file,
    {
      seq: meta.seq,
      createdAt: Date.now(),
      writer: meta.writer,
      policy: meta.policy,
      mark: meta.mark,
      windowGroups: engine.windowSignatures,
      counts: {
        accounts: engine.accountCount,
        payments: engine.labels.payments.size,
        windowKeys: Object.values(engine.windowSizes()).reduce((a, b) => a + b, 0),
        strings: body.strings,
      },
    },
    body,
    pacing,
    seal,
  );
  return { file, header, encodeMs: encoded - started, writeMs: performance.now() - encoded };
}

/** Reads `file` (both checksums checked first) into the fresh `engine`; throws SnapshotError or RangeError when it cannot. */
export function readEngineSnapshot(file: string, engine: Engine, seal: SnapshotSeal | null = null): SnapshotHeader {
  const { header, body } = readSnapshotFile(file, seal);
  const r = new SnapshotReader(body);
  engine.readSnapshot(r);
  r.at(body.length, 'engine');
  return header;
}
