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
