/**
 * The audit log's hash chain: each entry's hash covers its own fields and the hash of the entry
 * before it, so the newest hash (the head) stands for the whole history. Rewriting any entry —
 * or deleting, inserting or reordering one — changes every hash from there on; a verifier walking
 * the log finds the first entry that does not match, and an outside system that pinned an earlier
 * head detects even a consistent rewrite (a forger who recomputed every hash after the change).
 * Pure: the adapters store `prevHash` and `hash`, this module decides what they must be.
 */
import { hash } from 'node:crypto';
import { canonicalJson } from '../codec/canonical-json.js';
import type { AuditEntry, AuditHead } from './log.js';

/** The `prevHash` of the first entry: 64 zeros (no entry hashes to it). */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry's hash covers; `prevHash` is the previous entry's hash. */
export type HashedFields = Pick<AuditEntry, 'seq' | 'at' | 'actor' | 'action' | 'target' | 'before' | 'after' | 'prevHash'>;

/**
 * sha256 hex over the canonical JSON (sorted keys, no whitespace) of `{seq, at, actor, action,
 * target, before, after, prevHash}`. An absent snapshot counts as null, as the log stores it.
 * Written down in docs/security.md so an auditor can recompute it with any language.
 */
export function entryHash(e: HashedFields): string {
  const text = canonicalJson({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    target: e.target,
    before: e.before ?? null,
    after: e.after ?? null,
    prevHash: e.prevHash,
  });
  return hash('sha256', text, 'hex');
}

/** What a verifier found: the whole chain sound, or the first entry that is not. */
export type ChainVerdict =
  | { readonly ok: true; readonly entries: number; readonly head: AuditHead }
  | { readonly ok: false; readonly entries: number; readonly seq: number; readonly reason: string };

/**
 * Walks entries oldest first and checks that seqs run 1, 2, 3, … without a gap, that each entry
 * links to the one before (prevHash) and that its hash matches its contents. Stops at the first
 * fault: everything after it cannot be trusted anyway. `pin`, when given, must be an entry of the
 * chain (seq and hash as an outside system recorded them), which catches a rewrite that recomputed
 * every hash, or entries deleted from the end.
 */
export class ChainVerifier {
  private prev: AuditHead = { seq: 0, hash: GENESIS_HASH };
  private count = 0;
  private fault: { seq: number; reason: string } | null = null;
  private pinSeen = false;

  /** Optionally a pinned head to find in the chain. */
  constructor(private readonly pin?: AuditHead) {}

  /** Feeds the next entry; false once a fault was found (the caller may stop reading). */
  add(e: AuditEntry): boolean {
    if (this.fault !== null) return false;
    this.count++;
    const expectedSeq = this.prev.seq + 1;
    if (e.seq !== expectedSeq) {
      return this.fail(e.seq, e.seq > expectedSeq
        ? `expected seq ${expectedSeq} next, found ${e.seq}: entries ${expectedSeq}…${e.seq - 1} are missing`
        : `seq ${e.seq} comes after ${this.prev.seq}: out of order`);
    }
    if (e.prevHash !== this.prev.hash) {
      return this.fail(e.seq, `its prevHash ${short(e.prevHash)} is not the hash of the entry before it (${short(this.prev.hash)}): an entry before it was removed, inserted or reordered`);
    }
    let h: string;
    try {
      h = entryHash(e);
    } catch (err) {
      return this.fail(e.seq, `its contents cannot be hashed: ${(err as Error).message}`);
    }
    if (h !== e.hash) return this.fail(e.seq, `its hash ${short(e.hash)} does not match its contents (${short(h)}): the entry was edited`);
    if (this.pin !== undefined && e.seq === this.pin.seq) {
      if (e.hash !== this.pin.hash) return this.fail(e.seq, `its hash ${short(e.hash)} is not the pinned ${short(this.pin.hash)}: history up to it was rewritten`);
      this.pinSeen = true;
    }
    this.prev = { seq: e.seq, hash: e.hash };
    return true;
  }

  /** Records a fault found outside the chain's rules (an entry the store could not read). */
  fail(seq: number, reason: string): false {
    this.fault ??= { seq, reason };
    return false;
  }

  /** The verdict over everything fed. */
  verdict(): ChainVerdict {
    if (this.fault !== null) return { ok: false, entries: this.count, ...this.fault };
    if (this.pin !== undefined && !this.pinSeen && this.pin.seq !== 0) {
      return {
        ok: false,
        entries: this.count,
        seq: this.pin.seq,
        reason: `the pinned entry ${this.pin.seq} is not in the log (it ends at ${this.prev.seq}): entries were removed from the end`,
      };
    }
    if (this.pin !== undefined && this.pin.seq === 0 && this.pin.hash !== GENESIS_HASH) {
      return { ok: false, entries: this.count, seq: 0, reason: 'a pin at seq 0 must be the genesis hash' };
    }
    return { ok: true, entries: this.count, head: this.prev };
  }
}

function short(hash: string): string {
  return hash.length > 16 ? `${hash.slice(0, 16)}…` : hash;
}
