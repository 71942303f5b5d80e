/**
 * Which audit entries carry personal data in their before/after snapshots, and how a sealed
 * snapshot is stored: shared by every adapter (SQLite's sealed-audit.ts, PostgreSQL's audit.ts) so
 * a change is sealed alike whichever store records it, and the hash chain is over the same shape.
 */

/**
 * Action prefixes whose before/after can hold personal data or credentials — account actions and
 * appeals (reasons, appeal texts), cases (notes, evidence), merchant actions (reasons), webhook
 * subscriptions (endpoint URLs often carry a token) — and are stored sealed. List entry changes are
 * sealed by the list adapters before they reach the log.
 */
export const PERSONAL_ACTIONS: readonly string[] = ['account.', 'case.', 'merchant.', 'webhook.', 'notice.', 'complaint.'];

/** Whether the snapshots of `action` are stored sealed. */
export function sealsSnapshots(action: string): boolean {
  return PERSONAL_ACTIONS.some((p) => action.startsWith(p));
}

/** A snapshot as stored sealed: `{sealed: <sealed text of its JSON>}` and nothing else. */
export interface SealedSnapshot {
  readonly sealed: string;
}

/** Whether a stored snapshot is a sealed one (to be opened on read). */
export function isSealedSnapshot(v: unknown): v is SealedSnapshot {
  return typeof v === 'object' && v !== null && typeof (v as { sealed?: unknown }).sealed === 'string' && Object.keys(v).length === 1;
}
