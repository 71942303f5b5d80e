/**
 * The related-accounts graph of a case, laid out by hand: the subject in the middle, the accounts
 * that share a device, IP or merchant with it on a circle around it, each linked to the subject by
 * what they share. Small on purpose (a case rarely relates more than a few dozen accounts); no graph
 * library.
 */
import type { Evidence } from '../../api/types';

/** What links a related account to the subject. */
export type LinkKind = 'device' | 'merchant' | 'ip';

/** One related account and what it shares with the subject. */
export interface Related {
  readonly accountId: string;
  readonly via: readonly LinkKind[];
  /** Device ids, merchant ids or IPs shared. */
  readonly shared: readonly string[];
  readonly labelledFraud: boolean;
}

/** A node placed in the drawing. */
export interface PlacedNode extends Related {
  readonly x: number;
  readonly y: number;
}

/** The accounts related to an account case's subject, device links first, each once. */
export function relatedAccounts(e: Evidence, subjectId: string): Related[] {
  const out = new Map<string, { via: Set<LinkKind>; shared: Set<string>; labelledFraud: boolean }>();
  const add = (id: string | undefined, via: LinkKind, shared: readonly string[], fraud: boolean | undefined): void => {
    if (id === undefined || id === subjectId) return;
    const x = out.get(id) ?? { via: new Set<LinkKind>(), shared: new Set<string>(), labelledFraud: false };
    x.via.add(via);
    for (const s of shared) x.shared.add(s);
    x.labelledFraud ||= fraud === true;
    out.set(id, x);
  };
  for (const d of e.related.sharedDevices ?? []) {
    if (d.accountId !== undefined) add(d.accountId, 'device', d.devices ?? [], d.labelledFraud);
    else for (const a of d.accounts ?? []) add(a, 'device', d.deviceId === undefined ? [] : [d.deviceId], false);
  }
  for (const i of e.related.sharedIps ?? []) add(i.accountId, 'ip', i.ips, i.labelledFraud);
  for (const m of e.related.sharedMerchants ?? []) {
    if (m.accountId !== undefined) add(m.accountId, 'merchant', m.merchants ?? [], m.labelledFraud);
    else for (const a of m.accounts ?? []) add(a, 'merchant', m.merchantId === undefined ? [] : [m.merchantId], false);
  }
  for (const a of e.related.accounts ?? []) add(a.accountId, 'merchant', [], a.labelledFraud);
  const rank = (r: { via: Set<LinkKind> }): number => (r.via.has('device') ? 0 : r.via.has('ip') ? 1 : 2);
  return [...out]
    .map(([accountId, x]) => ({ accountId, via: [...x.via].sort(), shared: [...x.shared], labelledFraud: x.labelledFraud }))
    .sort((a, b) => rank({ via: new Set(a.via) }) - rank({ via: new Set(b.via) }) || (a.accountId < b.accountId ? -1 : 1));
}

/** Above this many nodes every other one goes on an inner ring, so neighbours' labels do not collide. */
export const ONE_RING_MAX = 12;
/** The inner ring's radius as a share of the outer one. */
export const INNER_RING = 0.62;

/**
 * Places `nodes` evenly around (`cx`, `cy`), the first at the top, going clockwise: on one circle of
 * radius `r` up to ONE_RING_MAX, else alternately on it and on an inner ring; at most `max` of them
 * (the rest are listed, not drawn).
 */
export function radialLayout(nodes: readonly Related[], cx: number, cy: number, r: number, max = 24): PlacedNode[] {
  const shown = nodes.slice(0, max);
  const n = shown.length;
  return shown.map((node, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    const rad = n > ONE_RING_MAX && i % 2 === 1 ? r * INNER_RING : r;
    return { ...node, x: round(cx + rad * Math.cos(a)), y: round(cy + rad * Math.sin(a)) };
  });
}

/**
 * Where a node's label goes: just outside the node, away from the centre, anchored so it reads
 * outwards (left of nodes on the left, right of nodes on the right).
 */
export function labelPlace(node: { x: number; y: number }, cx: number, cy: number, gap: number): { x: number; y: number; anchor: 'start' | 'middle' | 'end' } {
  const dx = node.x - cx;
  const dy = node.y - cy;
  const len = Math.hypot(dx, dy) || 1;
  const x = round(node.x + (gap * dx) / len);
  const y = round(node.y + (gap * dy) / len + 4);
  const anchor = Math.abs(dx) < len * 0.3 ? 'middle' : dx > 0 ? 'start' : 'end';
  return { x, y, anchor };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
