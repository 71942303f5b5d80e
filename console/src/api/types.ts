/**
 * The shapes the console reads from the decision server, as its routes answer them (src/server/routes/
 * and the console contract of issue 12). Written by hand: the server's OpenAPI document describes request
 * bodies and query parameters but not these answers yet.
 */

/** What a route may need; a key holds the permissions of its role. */
export type Permission = 'decide' | 'read' | 'docs' | 'admin' | 'support' | 'appeal';

/** The roles of API keys. */
export type Role = 'decide' | 'analyst' | 'admin' | 'support';

/** `GET /v1/whoami`: who the presented key is. */
export interface WhoAmI {
  readonly keyId: string;
  readonly role: Role;
  readonly name?: string;
  readonly permissions: readonly Permission[];
}

/** The four outcomes of a decision. */
export type Outcome = 'approve' | 'review' | 'challenge' | 'decline';

/** The priority bands of open cases. */
export type PriorityBand = 'critical' | 'high' | 'medium' | 'low';

/** `GET /v1/overview`: the last window's figures. */
export interface Overview {
  /** ISO 8601 with the Asia/Shanghai offset. */
  readonly at: string;
  readonly windowSeconds: number;
  readonly decisionsPerSecond: number;
  readonly outcomes: Readonly<Record<Outcome, number>>;
  readonly latencyUs: { readonly p50: number | null; readonly p99: number | null };
  readonly topRules: readonly { readonly code: string; readonly hits: number }[];
  readonly scoreHistogram: readonly { readonly from: number; readonly to: number; readonly count: number }[];
  readonly openCases: {
    readonly total: number;
    readonly byPriority: readonly { readonly band: PriorityBand; readonly count: number }[];
  };
  readonly journal: { readonly lastSeq: number; readonly pendingEntries: number };
  /** null when the case feed does not run (detectors off). */
  readonly caseFeed: { readonly behind: number } | null;
}

/** A case's lifecycle state. */
export type CaseStatus = 'open' | 'investigating' | 'resolved';

/** One case as `GET /v1/cases` lists it (src/cases/types.ts CaseSummary). */
export interface CaseSummary {
  readonly id: string;
  readonly subjectKind: 'account' | 'merchant' | 'terminal';
  readonly subjectId: string;
  readonly issue: string;
  readonly status: CaseStatus;
  /** 0–100, the highest of its items. */
  readonly risk: number;
  /** Fen at stake. */
  readonly amount: number;
  /** risk × amount / 100: the queue's order. */
  readonly priority: number;
  readonly assignee: string | null;
  /** Epoch ms. */
  readonly openedAt: number;
  readonly openedBy: string;
  readonly updatedAt: number;
  readonly items: number;
  readonly resolution: 'fraud' | 'legitimate' | null;
  readonly typology: string | null;
  readonly resolvedAt: number | null;
  readonly resolvedBy: string | null;
  readonly labels: number | null;
}

/** `GET /v1/cases`: one page of the queue and the cursor of the next. */
export interface CasePage {
  readonly cases: readonly CaseSummary[];
  readonly next: string | null;
}

/** One audit entry (src/audit/log.ts). */
export interface AuditEntry {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** `GET /v1/audit`: newest first, `next` is the `before` of the next page. */
export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly next: number | null;
}
