/**
 * The audit log's filters as `GET /v1/audit` takes them (src/server/routes/audit.ts): actor, action
 * and target (exact, or a prefix ending in `.` / `/`), a time range, and the `before` cursor.
 */
import { withQuery } from '../../api/client';

/** The filters an analyst typed. Times as a datetime-local field gives them, read in Asia/Shanghai. */
export interface AuditFilters {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly from: string;
  readonly to: string;
}

/** No filter. */
export const NO_AUDIT_FILTERS: AuditFilters = { actor: '', action: '', target: '', from: '', to: '' };

/** Entries a page. */
export const AUDIT_PAGE_SIZE = 50;

/**
 * A datetime-local value (`2026-12-06T14:00`, no zone) as an ISO time in Asia/Shanghai, the zone the
 * console shows every time in; '' stays '' and anything else malformed becomes ''.
 */
export function shanghaiIso(local: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?$/.exec(local.trim());
  if (m === null) return '';
  return `${m[1]}${m[2] ?? ':00'}+08:00`;
}

/** The API path of one page of the log. */
export function auditPath(f: AuditFilters, before: number | undefined): string {
  return withQuery('/v1/audit', {
    actor: f.actor.trim(),
    action: f.action.trim(),
    target: f.target.trim(),
    from: shanghaiIso(f.from),
    to: shanghaiIso(f.to),
    before,
    limit: AUDIT_PAGE_SIZE,
  });
}
