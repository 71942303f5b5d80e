/**
 * Where the owner placed what was recorded on any node (docs/scale-out.md, "Control entries"): one
 * row of `control_placements` per record and partition, the first placement standing. Shared by the
 * account and merchant stores, whose own rows stay append-only.
 */
import type { Pool, PoolClient } from 'pg';

/** What a placement places: an account action, a merchant action opened, or one released. */
export type PlacementKind = 'account_action' | 'merchant_action' | 'merchant_release';

/** Records that `ref` of `kind` took effect at entry `seq` of `partition`'s journal; a second placement changes nothing. */
export async function recordPlacement(q: Pool | PoolClient, kind: PlacementKind, ref: number, partition: number, seq: number): Promise<void> {
  await q.query(
    `INSERT INTO control_placements (kind, ref, partition, journal_seq, placed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [kind, ref, partition, seq, Date.now()],
  );
}

/** Where `ref` of `kind` took effect in `partition`'s journal, or null while it is not placed. */
export async function placementOf(q: Pool | PoolClient, kind: PlacementKind, ref: number, partition: number): Promise<number | null> {
  const r = await q.query<{ journal_seq: string }>(`SELECT journal_seq FROM control_placements WHERE kind = $1 AND ref = $2 AND partition = $3`, [kind, ref, partition]);
  return r.rows[0] === undefined ? null : Number(r.rows[0].journal_seq);
}

/** `NOT EXISTS` clause for rows of alias `a` (id column `a.id`) not placed as `kind` in partition `$1`. */
export function notPlaced(kind: PlacementKind): string {
  return `NOT EXISTS (SELECT 1 FROM control_placements p WHERE p.kind = '${kind}' AND p.ref = a.id AND p.partition = $1)`;
}
