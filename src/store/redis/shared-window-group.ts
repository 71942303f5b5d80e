/**
 * A window group of a shared key kind (merchant, terminal, device, IP), compiled once into what the
 * shared-window script takes per call, and the Redis names of a key's state. Compiled apart from
 * the store so a payment's hot path only copies prepared strings.
 */
import { DISTINCT_CAP, type WindowSpec } from '../../features/window-layout.js';
import { MAX_SHARED_WINDOWS } from './shared-windows-script.js';

/** The key kinds whose windows see payments of every partition (docs/scale-out.md). */
export type SharedKeyKind = 'merchant' | 'terminal' | 'device' | 'ip';

/** The hash-tag letter of each kind: `{m:<id>}` keeps one key's hash and sets in one Cluster slot. */
const TAG: Readonly<Record<SharedKeyKind, string>> = { merchant: 'm', terminal: 't', device: 'd', ip: 'i' };

/**
 * Kinds whose ids are personal data: they reach Redis only as keyed tokens (docs/security.md), as
 * every distinct value does.
 */
export const TOKENISED_KINDS: ReadonlySet<SharedKeyKind> = new Set<SharedKeyKind>(['device', 'ip']);

/** Agg codes the script knows (see shared-windows-script.ts). */
const CODE: Readonly<Record<WindowSpec['agg'], number>> = { count: 0, sum: 1, mean: 2, max: 3, min: 4, distinct: 5 };

/** Group names: part of every key name, so short and free of the characters key names use. */
const GROUP_NAME = /^[A-Za-z0-9_]{1,40}$/;

/** Longest key id accepted (a merchant id, a terminal id or a token): key names stay small. */
export const MAX_KEY_ID = 128;

/**
 * One group's windows as the script expects them. The name is the group's identity in Redis: give a
 * new name when the specs change (as the engine starts a changed window group empty), or the new
 * specs would read buckets laid out for the old ones.
 */
export class SharedWindowGroup {
  readonly name: string;
  readonly specs: readonly WindowSpec[];
  /** TTL of a key's state: the longest window, after which nothing of it is visible. */
  readonly ttlMs: number;
  /** Indexes of the distinct windows, in order; each has a sorted set of its own. */
  readonly distinct: readonly number[];
  /** Per window: [agg code, L, B] as strings, ready to splice into ARGV. */
  readonly specArgs: readonly (readonly [string, string, string])[];

  constructor(name: string, specs: readonly WindowSpec[]) {
    if (!GROUP_NAME.test(name)) throw new RangeError(`shared window group name ${JSON.stringify(name)}: give 1 to 40 letters, digits or _`);
    if (specs.length === 0 || specs.length > MAX_SHARED_WINDOWS) throw new RangeError(`shared window group ${name} has ${specs.length} windows: give 1 to ${MAX_SHARED_WINDOWS}`);
    let ttl = 0;
    const distinct: number[] = [];
    const args: (readonly [string, string, string])[] = [];
    specs.forEach((s, i) => {
      const code = CODE[s.agg];
      if (code === undefined || !Number.isSafeInteger(s.lengthMs) || s.lengthMs < 1 || !Number.isSafeInteger(s.buckets) || s.buckets < 1) {
        throw new RangeError(`bad window spec ${JSON.stringify(s)} in shared window group ${name}`);
      }
      if (s.agg === 'distinct') distinct.push(i);
      args.push([String(code), String(s.lengthMs), String(s.buckets)]);
      ttl = Math.max(ttl, s.lengthMs);
    });
    this.name = name;
    this.specs = specs;
    this.ttlMs = ttl;
    this.distinct = distinct;
    this.specArgs = args;
  }

  /**
   * The key names (without the cluster prefix, which the client adds) of one key's state: its hash,
   * then one sorted set per distinct window — all under one hash tag, so one slot and one script.
   * `id` must already be a token for a tokenised kind.
   */
  keyNames(kind: SharedKeyKind, id: string): string[] {
    const tag = TAG[kind];
    if (tag === undefined) throw new RangeError(`unknown shared key kind ${String(kind)}`);
    if (id.length === 0 || id.length > MAX_KEY_ID) throw new RangeError(`shared ${kind} key id must be 1 to ${MAX_KEY_ID} characters`);
    const hash = `w:{${tag}:${id}}:${this.name}`;
    return [hash, ...this.distinct.map((i) => `${hash}:d${i}`)];
  }
}

/** The distinct cap the script enforces: the in-memory layout's, so both saturate alike. */
export const SHARED_DISTINCT_CAP = DISTINCT_CAP;
