/**
 * The rows of the case tables on PostgreSQL and how they read as the port's values (split from
 * cases.ts to keep it small). bigint columns arrive as text from the driver and become numbers;
 * the sealed columns (item notes and details) are opened with the caller's PgCrypt.
 */
import { caseId, type CaseItem, type CaseStatus, type CaseSummary, type Resolution, type SourceKind, type SubjectKind } from '../../cases/types.js';
import type { PgCrypt } from './crypt.js';

/** A cases row. */
export interface CaseRow {
  id: number;
  subject_kind: string;
  subject_id: string;
  issue: string;
  status: string;
  risk: number;
  amount: string;
  priority: number;
  assignee: string | null;
  opened_at: string;
  opened_by: string;
  updated_at: string;
  item_count: number;
  resolution: string | null;
  typology: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  labels: number | null;
  labels_pending: boolean;
}

/** A case_items row (note and detail sealed). */
export interface ItemRow {
  n: number;
  kind: string;
  ref: string | null;
  tx_id: string | null;
  risk: number;
  amount: string;
  note: string | null;
  actor: string;
  at: string;
  detail: string | null;
}

/** The columns of a CaseRow, selected by every case read. */
export const CASE_COLUMNS =
  'id, subject_kind, subject_id, issue, status, risk, amount, priority, assignee, opened_at, opened_by, updated_at, ' +
  'item_count, resolution, typology, resolved_at, resolved_by, labels, labels_pending';
/** The columns of an ItemRow. */
export const ITEM_COLUMNS = 'n, kind, ref, tx_id, risk, amount, note, actor, at, detail';

function num(v: string | null): number | null {
  return v === null ? null : Number(v);
}

/** A case row as the port's CaseSummary (labels read as null while pending, as in SQLite). */
export function toSummary(r: CaseRow): CaseSummary {
  return {
    id: caseId(r.id),
    subjectKind: r.subject_kind as SubjectKind,
    subjectId: r.subject_id,
    issue: r.issue,
    status: r.status as CaseStatus,
    risk: r.risk,
    amount: Number(r.amount),
    priority: r.priority,
    assignee: r.assignee,
    openedAt: Number(r.opened_at),
    openedBy: r.opened_by,
    updatedAt: Number(r.updated_at),
    items: r.item_count,
    resolution: r.resolution as Resolution | null,
    typology: r.typology,
    resolvedAt: num(r.resolved_at),
    resolvedBy: r.resolved_by,
    labels: r.labels_pending ? null : r.labels,
  };
}

/** An item row as the port's CaseItem, note and detail opened. */
export async function toItem(r: ItemRow, c: PgCrypt): Promise<CaseItem> {
  return {
    n: r.n,
    kind: r.kind as SourceKind,
    ref: r.ref,
    txId: r.tx_id,
    risk: r.risk,
    amount: Number(r.amount),
    note: await c.openOpt(r.note),
    actor: r.actor,
    at: Number(r.at),
    detail: r.detail === null ? null : (JSON.parse(await c.openText(r.detail)) as unknown),
  };
}
