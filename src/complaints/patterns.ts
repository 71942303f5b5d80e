/**
 * What complaints say about a merchant: how many in 30 days, the rating driver they make, and the
 * complainants who look malicious — one device or IP complaining about many merchants in the same
 * 30 days (a professional complainer or an extortion ring), whose complaints weigh nothing here.
 */

/** Merchants one complainant complained about in 30 days from which it reads as a pattern. */
export const MALICIOUS_MERCHANTS = 3;
/** Complaints (from complainants that are not malicious) that make the driver's full severity. */
const FULL_SEVERITY = 5;
/** Points of the rating the driver adds at full severity (of 100). */
const DRIVER_POINTS = 20;

/** A merchant's complaints as its view shows them. */
export interface MerchantComplaints {
  readonly total30d: number;
  /** Complaints from complainants not flagged as malicious: the ones that count. */
  readonly counted30d: number;
  /** Devices and IPs (as tokens) that complained about this merchant and at least MALICIOUS_MERCHANTS merchants in all. */
  readonly maliciousComplainants: readonly { readonly kind: 'device' | 'ip'; readonly token: string; readonly merchants: number }[];
  /** The rating driver: severity 0–1 and the points it adds. */
  readonly driver: { readonly severity: number; readonly points: number } | null;
}

/** Reads `merchantId`'s complaints out of every merchant complaint of the last 30 days. */
export function merchantComplaints(merchantId: string, recent: readonly { merchantId: string; device: string | null; ip: string | null }[]): MerchantComplaints {
  const merchantsOf = new Map<string, Set<string>>();
  for (const c of recent) {
    for (const k of [c.device === null ? null : `device:${c.device}`, c.ip === null ? null : `ip:${c.ip}`]) {
      if (k === null) continue;
      let s = merchantsOf.get(k);
      if (s === undefined) merchantsOf.set(k, (s = new Set()));
      s.add(c.merchantId);
    }
  }
  const malicious = (k: string | null): boolean => k !== null && (merchantsOf.get(k)?.size ?? 0) >= MALICIOUS_MERCHANTS;
  const mine = recent.filter((c) => c.merchantId === merchantId);
  const flagged = new Map<string, { kind: 'device' | 'ip'; token: string; merchants: number }>();
  let counted = 0;
  for (const c of mine) {
    const dk = c.device === null ? null : `device:${c.device}`;
    const ik = c.ip === null ? null : `ip:${c.ip}`;
    if (malicious(dk) || malicious(ik)) {
      if (malicious(dk)) flagged.set(dk!, { kind: 'device', token: c.device!, merchants: merchantsOf.get(dk!)!.size });
      if (malicious(ik)) flagged.set(ik!, { kind: 'ip', token: c.ip!, merchants: merchantsOf.get(ik!)!.size });
    } else counted++;
  }
  const severity = Math.min(1, counted / FULL_SEVERITY);
  return {
    total30d: mine.length,
    counted30d: counted,
    maliciousComplainants: [...flagged.values()].sort((a, b) => b.merchants - a.merchants),
    driver: counted === 0 ? null : { severity: Math.round(severity * 1000) / 1000, points: Math.round(DRIVER_POINTS * severity * 100) / 100 },
  };
}
