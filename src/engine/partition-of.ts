/**
 * Which partition of a cluster owns an account (docs/scale-out.md, "Partitions"): FNV-1a of the
 * account id's UTF-16 code units, mod P. Fixed for the life of a cluster, and the same on every node
 * and in every replay, so it must never change: an account moved to another partition would lose
 * its memory.
 */
export function partitionOf(accountId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a whole number ≥ 1, got ${partitions}`);
  if (partitions === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) {
    h ^= accountId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
