/**
 * The per-transaction feature vector and the catalog that names its slots.
 *
 * Numbers and booleans live in one Float64Array (booleans as 1/0, unknown as NaN so that every
 * comparison with an unknown value is false and a rule never fires on missing data); strings live
 * in a parallel array. Slots are fixed when a policy is compiled, so the hot path indexes arrays
 * instead of looking up names.
 */

/** The value types of the rule language. */
export type ValueType = 'number' | 'boolean' | 'string';

/**
 * What `in_list(x, "name")` reads: is `value` on list `list` at event time `atMs`? Must not allocate,
 * and must answer false for the unknown value ''.
 */
export interface ListLookup {
  has(list: string, value: string, atMs: number): boolean;
}

/** The values of one transaction's features, indexed by slot. */
export interface FeatureVector {
  /** number and boolean features; NaN = unknown. */
  readonly num: Float64Array;
  /** string features; '' = unknown. */
  readonly str: string[];
  /**
   * The lists `in_list()` reads, set by the engine that owns them. Read through the vector, never
   * captured by a compiled policy, so policies can be swapped and lists changed independently.
   */
  lists: ListLookup;
  /** Event time (epoch ms) of the payment being decided, NaN when unknown; list expiry compares with it. */
  t: number;
}

/** One named feature the engine computes for every transaction. */
export interface BuiltinFeature {
  readonly name: string;
  readonly type: ValueType;
  /** index into `num` (number, boolean) or `str` (string). */
  readonly slot: number;
  /** what it means, shown by `fengkong features` and in diagnostics. */
  readonly description: string;
}

/** The features the engine computes before any declared window; the compiler resolves names here first. */
export interface BuiltinCatalog {
  readonly features: readonly BuiltinFeature[];
  /** numeric slots used by builtins; declared features get slots from here on. */
  readonly numSlots: number;
  /** string slots used by builtins. */
  readonly strSlots: number;
  lookup(name: string): BuiltinFeature | undefined;
}

/** Makes an empty vector able to hold `numSlots` numbers and `strSlots` strings. */
export function createVector(numSlots: number, strSlots: number): FeatureVector {
  const num = new Float64Array(numSlots).fill(NaN);
  const str = new Array<string>(strSlots).fill('');
  return { num, str, lists: NO_LISTS, t: NaN };
}

/** The lists of a vector no engine has given its own: every list is empty. */
export const NO_LISTS: ListLookup = Object.freeze({ has: () => false });
