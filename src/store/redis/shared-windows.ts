/**
 * Windows of keys that every partition's payments reach (merchant, terminal, device, IP) kept in
 * Redis when a cluster has more than one partition (docs/scale-out.md). For one payment the store
 * runs one script per key — adding the payment and reading back every window including it — and
 * sends all of a payment's scripts in one pipeline: one round trip per decision, one slot per key.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreError } from '../../errors.js';
import { SHARED_DISTINCT_CAP, SharedWindowGroup, TOKENISED_KINDS, type SharedKeyKind } from './shared-window-group.js';
import { SHARED_WINDOWS_LUA } from './shared-windows-script.js';

/**
 * What makes personal values unrecognisable in Redis: a keyed HMAC (the cluster's Keyring has this
 * shape). Key ids of device and IP keys and every distinct value pass through it.
 */
export interface Tokens {
  token(kind: string, value: string): string;
}

/** Hex digits kept of a key id's token (128 bits: no two devices of any population meet). */
const ID_TOKEN_HEX = 32;
/** Hex digits kept of a distinct value's token (64 bits, for at most DISTINCT_CAP values a window). */
const VALUE_TOKEN_HEX = 16;

/**
 * One key a payment updates. `values` has one entry per window of the group, what the payment adds
 * to it: null when it does not enter the window (its filter is false, or the value is unknown);
 * any number for a count; an integer in minor units (fen) for sum, mean, max and min; the clear value
 * for a distinct window ('' counts as not entering, as in the engine).
 */
export interface SharedKeyUpdate {
  readonly kind: SharedKeyKind;
  /** The clear id: a device or IP id is tokenised before it is sent. */
  readonly id: string;
  readonly group: SharedWindowGroup;
  readonly values: readonly (number | string | null)[];
}

/** A pipeline's replies; a lost connection becomes a StoreError (the caller decides whether to retry). */
async function sent<T>(replies: Promise<T>): Promise<T> {
  try {
    return await replies;
  } catch (e) {
    throw new StoreError(`shared windows: Redis did not answer: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function isNoScript(e: unknown): boolean {
  return e instanceof Error && e.message.startsWith('NOSCRIPT');
}

/**
 * The shared-key window store over one ioredis client (its keyPrefix `fk:<c>:` scopes every key
 * to the cluster). Scripts run by SHA; a server that lost its script cache (restart, failover,
 * SCRIPT FLUSH) gets the source again through EVAL for the replies that said NOSCRIPT, so only
 * commands that never ran are sent twice.
 */
export class SharedWindowStore {
  private readonly sha = createHash('sha1').update(SHARED_WINDOWS_LUA).digest('hex');

  constructor(
    private readonly redis: Redis,
    private readonly tokens: Tokens,
  ) {}

  /** Loads the script on the server ahead of the first payment, so that one does not pay for it. */
  async load(): Promise<void> {
    const sha = await this.redis.script('LOAD', SHARED_WINDOWS_LUA);
    if (sha !== this.sha) throw new StoreError(`Redis loaded the shared-window script as ${String(sha)}, expected ${this.sha}`);
  }

  /**
   * Adds one payment at event time `ts` (ms) to every key in `updates` and returns, per update and
   * window, the aggregate including it: count/sum/distinct (0 when empty), mean/max/min (NaN when
   * empty). A StoreError when Redis fails; the keys whose script ran before the failure keep the payment.
   */
  async apply(ts: number, updates: readonly SharedKeyUpdate[]): Promise<Float64Array[]> {
    if (!Number.isSafeInteger(ts) || Math.abs(ts) >= 1e14) throw new RangeError(`shared windows: event time ${ts} is not an integer ms timestamp`);
    const memo = new Map<string, string>(); // a payment's distinct value (its account) goes to every key: one HMAC
    const calls = updates.map((u) => this.args(ts, u, memo));
    const p = this.redis.pipeline();
    for (const [keys, argv] of calls) p.evalsha(this.sha, keys.length, ...keys, ...argv);
    const replies = (await sent(p.exec())) ?? [];
    const missing = replies.flatMap(([e], i) => (isNoScript(e) ? [i] : []));
    if (missing.length > 0) {
      const again = this.redis.pipeline();
      // Redis's EVAL of the one constant script (a server restarted and lost its cache): ids and values
      // travel only as KEYS and ARGV, never as script text
      for (const i of missing) again.call('EVAL', [SHARED_WINDOWS_LUA, calls[i][0].length, ...calls[i][0], ...calls[i][1]]);
      const redone = (await sent(again.exec())) ?? [];
      missing.forEach((i, j) => (replies[i] = redone[j]));
    }
    return updates.map((u, i) => {
      const r = replies[i];
      if (r === undefined || r[0] !== null) {
        throw new StoreError(`shared windows: ${u.kind} key of group ${u.group.name} failed in Redis: ${r?.[0]?.message ?? 'no reply'}`, { cause: r?.[0] });
      }
      return decode(u.group, r[1]);
    });
  }

  /** KEYS and ARGV of one key's script call (see shared-windows-script.ts). */
  private args(ts: number, u: SharedKeyUpdate, memo: Map<string, string>): [string[], string[]] {
    const g = u.group;
    if (u.values.length !== g.specs.length) throw new RangeError(`shared windows: group ${g.name} has ${g.specs.length} windows, got ${u.values.length} values`);
    const id = TOKENISED_KINDS.has(u.kind) ? this.tokens.token(u.kind, u.id).slice(0, ID_TOKEN_HEX) : u.id;
    const argv = [String(ts), String(g.ttlMs), String(g.specs.length), String(SHARED_DISTINCT_CAP)];
    for (let i = 0; i < g.specs.length; i++) {
      const [code, len, buckets] = g.specArgs[i];
      argv.push(code, len, buckets, this.value(g, i, u.values[i], memo));
    }
    return [g.keyNames(u.kind, id), argv];
  }

  /** The script's value for window i: '' when not entered. */
  private value(g: SharedWindowGroup, i: number, v: number | string | null, memo: Map<string, string>): string {
    if (v === null) return '';
    const agg = g.specs[i].agg;
    if (agg === 'distinct') {
      if (typeof v !== 'string') throw new RangeError(`shared windows: distinct window ${i} of ${g.name} takes a string`);
      if (v === '') return '';
      let t = memo.get(v);
      if (t === undefined) memo.set(v, (t = this.tokens.token('distinct', v).slice(0, VALUE_TOKEN_HEX)));
      return t;
    }
    if (typeof v !== 'number') throw new RangeError(`shared windows: window ${i} (${agg}) of ${g.name} takes a number`);
    if (agg === 'count') return '1';
    if (!Number.isSafeInteger(v)) throw new RangeError(`shared windows: window ${i} (${agg}) of ${g.name} takes integer minor units, got ${v}`);
    return String(v);
  }
}

/** The script's reply as one number per window (a mean's sum and count divided, as the engine does). */
function decode(g: SharedWindowGroup, reply: unknown): Float64Array {
  if (!Array.isArray(reply)) throw new StoreError(`shared windows: group ${g.name}: the script answered ${typeof reply}, not an array`);
  const out = new Float64Array(g.specs.length);
  let r = 0;
  for (let i = 0; i < g.specs.length; i++) {
    const agg = g.specs[i].agg;
    const x = reply[r++] as number | null;
    if (agg === 'mean') {
      const c = reply[r++] as number;
      out[i] = c === 0 ? NaN : (x as number) / c;
    } else out[i] = x === null ? NaN : x;
  }
  if (r !== reply.length) throw new StoreError(`shared windows: group ${g.name}: the script answered ${reply.length} values for ${r}`);
  return out;
}
