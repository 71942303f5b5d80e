/**
 * A string-keyed map that becomes 64 Maps, chosen by a hash of the key, once it holds SPLIT_AT keys.
 * One Map rehashes every entry at once when it outgrows its table: 30–50 ms for the account-keyed
 * maps at 131,072 accounts, ~100 ms a map at a million — a stall of every answer waiting behind that
 * decision (bench/engine-stalls.ts). A shard rehashes a 64th of that. Below SPLIT_AT a lookup is one
 * Map's: the hash costs ~20 ns a lookup, worth paying only where a rehash would stall.
 *
 * The split itself is spread out too: its keys move a few per insert (the old Map stays whole and
 * is read after the shards until the last has moved). Iteration goes shard by shard, each in
 * insertion order, after `settle` finishes a split under way; whether the map is split is part of
 * what a snapshot keeps, so a map read back in the order it was written iterates the same way.
 */

const SHARDS = 64;
/** Keys at which one Map becomes SHARDS Maps: below it a doubling costs a few ms, above it tens. */
const SPLIT_AT = 32_768;
/** Keys moved out of the old Map per insert while a split is under way. */
const MOVE_PER_SET = 64;

/**
 * The shard of `key`: FNV-1a over its length and its last 6 UTF-16 units — where ids differ — so a
 * lookup costs a few multiplications whatever the key's length. Keys alike in their last 6 units
 * share a shard: no worse than one Map.
 */
function shardOf(key: string): number {
  const n = key.length;
  let h = Math.imul(0x811c9dc5 ^ n, 16777619);
  for (let i = n > 6 ? n - 6 : 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h ^ (h >>> 16) ^ (h >>> 8)) & (SHARDS - 1);
}

/** Keys → V: one Map, then SHARDS Maps once it grew to SPLIT_AT keys (it never merges back). */
export class ShardedMap<V> {
  /** The one Map before the split; during it, the keys not moved yet (never written to then). */
  private one: Map<string, V> | null = new Map<string, V>();
  /** Empty until the split begins. */
  private shards: Map<string, V>[] = [];
  /** Where the split under way goes on in `one` (null when none is). */
  private moving: Iterator<[string, V]> | null = null;
  private count = 0;

  /** True once the map holds its keys in shards (from the split's start). */
  get split(): boolean {
    return this.shards.length > 0;
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    if (this.shards.length === 0) return (this.one as Map<string, V>).get(key);
    const v = this.shards[shardOf(key)].get(key);
    return v !== undefined || this.one === null ? v : this.one.get(key);
  }

  set(key: string, value: V): void {
    if (this.shards.length === 0) {
      const one = this.one as Map<string, V>;
      const before = one.size;
      one.set(key, value);
      this.count += one.size - before;
      if (this.count >= SPLIT_AT) this.begin();
      return;
    }
    const shard = this.shards[shardOf(key)];
    if (!shard.has(key) && (this.one === null || !this.one.has(key))) this.count++;
    shard.set(key, value); // shadows a copy not moved yet, which the move then skips
    if (this.moving !== null) this.move(MOVE_PER_SET);
  }

  delete(key: string): boolean {
    if (this.shards.length === 0) {
      const gone = (this.one as Map<string, V>).delete(key);
      if (gone) this.count--;
      return gone;
    }
    const inShard = this.shards[shardOf(key)].delete(key);
    const inOne = this.one !== null && this.one.delete(key);
    if (inShard || inOne) this.count--;
    return inShard || inOne;
  }

  /** Calls `fn` with every entry: in insertion order, shard by shard once split (a split under way is finished first). */
  forEach(fn: (value: V, key: string) => void): void {
    this.settle();
    if (this.shards.length === 0) (this.one as Map<string, V>).forEach(fn);
    else for (const m of this.shards) m.forEach(fn);
  }

  /**
   * Every value, in forEach's order (a split under way is finished first). The iterator stays valid
   * while the map changes, as a Map's does: a job may yield between values while payments go on.
   */
  *values(): IterableIterator<V> {
    this.settle();
    if (this.shards.length === 0) yield* (this.one as Map<string, V>).values();
    else for (const m of this.shards) yield* m.values();
  }

  /** Splits now, whatever the size (a snapshot's reader restoring a map that was split), and at once. */
  divide(): void {
    if (this.shards.length === 0) this.begin();
    this.settle();
  }

  /** Finishes a split under way. */
  settle(): void {
    if (this.moving !== null) this.move(Infinity);
  }

  private begin(): void {
    this.shards = Array.from({ length: SHARDS }, () => new Map<string, V>());
    this.moving = (this.one as Map<string, V>)[Symbol.iterator]();
    this.move(MOVE_PER_SET);
  }

  /** Moves up to `n` keys of the old Map into their shards; a key set since the split began keeps its newer value. */
  private move(n: number): void {
    const it = this.moving as Iterator<[string, V]>;
    for (let i = 0; i < n; i++) {
      const r = it.next();
      if (r.done === true) {
        this.moving = null;
        this.one = null;
        return;
      }
      const [k, v] = r.value;
      const shard = this.shards[shardOf(k)];
      if (!shard.has(k)) shard.set(k, v);
    }
  }
}
