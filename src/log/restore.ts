/**
 * Choosing and loading the snapshot a start (or a checkpointer's replica) begins from: the newest
 * snapshot in the folder that (1) has a sound header, (2) holds a window group of every signature
 * the policy needs, (3) covers no more than the journal holds and matches the journal's entry at
 * its seq, and (4) has a sound body that decodes. Anything else is skipped with the reason, never
 * trusted; when nothing is left the caller replays the whole journal.
 */
import { basename as baseName } from 'node:path';
import type { CompiledPolicy } from '../rules/policy-types.js';
import type { Journal, JournalEntry } from './journal.js';
import type { Engine } from '../engine/engine.js';
import { windowGroupSignatures } from '../engine/window-groups.js';
import { listSnapshots, readEngineSnapshot } from '../engine/snapshot/engine-snapshot.js';
import { readSnapshotHeader, textCrc32, type JournalMark, type SnapshotHeader, type SnapshotSeal } from '../engine/snapshot/format.js';

/** A snapshot passed over, and why. */
export interface SkippedSnapshot {
  readonly file: string;
  readonly reason: string;
}

/** The engine a start begins from. */
export interface RestoredEngine {
  /** Fresh (seq 0) or restored from `file`. */
  readonly engine: Engine;
  /** Journal entries 1 … seq are in it; replay seq + 1 onwards. */
  readonly seq: number;
  readonly file: string | null;
  readonly header: SnapshotHeader | null;
  /** Milliseconds choosing, reading and decoding. */
  readonly ms: number;
  readonly skipped: readonly SkippedSnapshot[];
}

/** The mark of a journal entry (see JournalMark). */
export function markOf(entry: JournalEntry): JournalMark {
  return { seq: entry.seq, receivedAt: entry.receivedAt, eventCrc32: textCrc32(entry.event) };
}

/** Why the header cannot serve `needed` on `journal`, or null when it can. */
function mismatch(h: SnapshotHeader, needed: readonly string[], journal: Journal, lastSeq: number): string | null {
  const have = new Set(h.windowGroups);
  const missing = needed.filter((s) => !have.has(s));
  if (missing.length > 0) {
    const names = missing.map((s) => s.slice(0, s.indexOf('\n'))).join(', ');
    return `made for other windows (policy ${h.policy.name}): no state for window group(s) ${names} of the live policy`;
  }
  if (h.seq > lastSeq) return `covers journal seq ${h.seq}, but the journal ends at ${lastSeq}`;
  if (h.seq === 0) return null;
  let entry: JournalEntry | undefined;
  journal.forEachEventInRange({ fromSeq: h.seq, toSeq: h.seq }, (e) => {
    entry = e;
    return false;
  });
  if (entry === undefined) return `journal entry ${h.seq} is missing`;
  const m = markOf(entry);
  if (h.mark === null || h.mark.receivedAt !== m.receivedAt || h.mark.eventCrc32 !== m.eventCrc32) {
    return `journal entry ${h.seq} differs from the one the snapshot was made from (another journal?)`;
  }
  return null;
}

/**
 * The newest usable snapshot of `dir` loaded into an engine from `create` (a fresh engine running
 * `policy`), or a fresh engine at seq 0 when none is usable. Never throws for a bad snapshot.
 */
export function restoreEngine(dir: string, policy: CompiledPolicy, create: () => Engine, journal: Journal, seal: SnapshotSeal | null = null): RestoredEngine {
  const started = performance.now();
  const needed = windowGroupSignatures(policy.windows);
  const lastSeq = journal.lastSeq();
  const skipped: SkippedSnapshot[] = [];
  for (const { file } of listSnapshots(dir)) {
    let header: SnapshotHeader;
    try {
      header = readSnapshotHeader(file).header;
    } catch (e) {
      skipped.push({ file, reason: `unreadable: ${(e as Error).message}` });
      continue;
    }
    const why = mismatch(header, needed, journal, lastSeq);
    if (why !== null) {
      skipped.push({ file, reason: why });
      continue;
    }
    const engine = create();
    try {
      readEngineSnapshot(file, engine, seal);
    } catch (e) {
      skipped.push({ file, reason: `corrupt: ${(e as Error).message}` });
      continue;
    }
    return { engine, seq: header.seq, file, header, ms: performance.now() - started, skipped };
  }
  return { engine: create(), seq: 0, file: null, header: null, ms: performance.now() - started, skipped };
}

/** One line for the start log: where recovery began, what it passed over, and (`replayed`) how much it replayed. */
export function describeRestore(r: RestoredEngine, replayed?: number): string {
  const skipped = r.skipped.map((s) => `${baseName(s.file)} skipped: ${s.reason}`);
  const tail = replayed === undefined ? '' : r.file === null ? ` (${replayed} events)` : ` + ${replayed} journal events after it`;
  const start =
    r.file === null
      ? `no usable snapshot${r.skipped.length > 0 ? '' : ' yet'}: replayed the whole journal${tail}`
      : `started from snapshot ${baseName(r.file)} (journal seq ${r.seq}, loaded in ${r.ms.toFixed(0)} ms)${tail}`;
  return ['recovery: ' + start, ...skipped].join('; ');
}
