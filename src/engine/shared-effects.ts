/**
 * What a payment did to the state every partition of a cluster keeps (docs/scale-out.md, "What is
 * shared across partitions"). The partition that owns the payer decides the payment with its
 * account's memory; the others never see that memory, so they cannot recompute which merchant,
 * device or IP windows the payment entered (a window's filter may read account features) nor the
 * merchant profile's flags (cash-out reads the credit line). The owner writes down those results
 * beside its journal entry, and every other partition folds them in — exactly what the owner
 * folded in, whatever the filters read.
 */
import { StoreError } from '../errors.js';
import type { TransactionEvent } from '../contract/events.js';

/** One shared window group's part: [group tag, key parts…, entered mask, values…] (see WindowGroup.record). */
export type SharedWindowRecord = readonly (string | number | null)[];

/** The shared effects of one decided payment. */
export interface SharedEffects {
  /** The shared window groups the payment entered. */
  readonly w: readonly SharedWindowRecord[];
  /** The merchant and terminal profiles' inputs (PROFILE_INPUTS order), null for NaN. */
  readonly p: readonly (number | null)[];
}

/** JSON text of `e`, as a journal entry carries it. */
export function sharedEffectsText(e: SharedEffects): string {
  return JSON.stringify(e);
}

/**
 * Parses what sharedEffectsText wrote. The journal is the cluster's own (sealed, written by an
 * owner), so a bad record is a corrupt journal: a StoreError naming what is wrong.
 */
export function parseSharedEffects(text: string): SharedEffects {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    throw new StoreError('journal entry: shared effects: not JSON');
  }
  return checkShared(x);
}

/** `x` as SharedEffects, or the StoreError saying what is wrong with it. */
function checkShared(x: unknown): SharedEffects {
  if (typeof x !== 'object' || x === null) throw new StoreError('journal entry: shared effects: expected an object {w, p}');
  const { w, p } = x as { w?: unknown; p?: unknown };
  if (!Array.isArray(w) || !w.every((r) => Array.isArray(r) && r.length >= 3 && r.every(isCell))) {
    throw new StoreError('journal entry: shared effects: w must be a list of window records [tag, key…, mask, values…]');
  }
  if (!Array.isArray(p) || !p.every((n) => n === null || typeof n === 'number')) {
    throw new StoreError('journal entry: shared effects: p must be a list of numbers (null for NaN)');
  }
  return { w: w as SharedWindowRecord[], p: p as (number | null)[] };
}

function isCell(c: unknown): boolean {
  return c === null || typeof c === 'string' || typeof c === 'number';
}

/**
 * A partitioned cluster's annotation of one journal entry (JournalEntry.meta): `a`, the stream
 * sequence of the last other partition's message its owner had applied when it applied the entry —
 * a replica applies the others' messages up to `a` first, so it goes through the owner's states in
 * the owner's order — and, for a payment, its shared effects.
 */
export interface PartitionMeta {
  readonly a: number;
  readonly s: SharedEffects | null;
}

/** The text of `m`, as JournalEntry.meta carries it. */
export function partitionMetaText(after: number, shared: SharedEffects | null): string {
  return shared === null ? `{"a":${after}}` : `{"a":${after},"s":${sharedEffectsText(shared)}}`;
}

/** Parses JournalEntry.meta (`where` names the entry in errors). */
export function parsePartitionMeta(text: string | null | undefined, where: string): PartitionMeta {
  if (text === null || text === undefined) throw new StoreError(`${where} has no partition annotation: was it written by a cluster of one partition?`);
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    throw new StoreError(`${where}: its partition annotation is not JSON`);
  }
  const { a, s } = (x ?? {}) as { a?: unknown; s?: unknown };
  if (typeof a !== 'number' || !Number.isInteger(a) || a < 0) throw new StoreError(`${where}: its partition annotation has no stream position (a)`);
  return { a, s: s === undefined ? null : checkShared(s) };
}

/**
 * A payment another partition journaled, as `applyDecidedElsewhere` reads it: only its time, ids and
 * amount matter there, so the journal's JSON (the contract parser's own output, sealed by the owner
 * that validated it) is read as it is, not validated again — a third of the cost of applying it.
 */
export function paymentDecidedElsewhere(text: string, where: string): TransactionEvent {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    throw new StoreError(`${where}: its payment is not JSON`);
  }
  const tx = x as Partial<TransactionEvent>;
  if (
    tx.type !== 'transaction' || typeof tx.t !== 'number' || typeof tx.id !== 'string' || typeof tx.accountId !== 'string' ||
    typeof tx.merchantId !== 'string' || typeof tx.terminalId !== 'string' || typeof tx.amount !== 'number'
  ) {
    throw new StoreError(`${where}: its payment lacks what the contract parser writes (type, t, id, accountId, merchantId, terminalId, amount)`);
  }
  return tx as TransactionEvent;
}
