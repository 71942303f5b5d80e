/**
 * The shapes the console reads from the decision server, as its routes answer them (src/server/routes/
 * and the console contract of issue 12). Written by hand: the server's OpenAPI document describes request
 * bodies and query parameters but not these answers yet.
 */

/** What a route may need; a key holds the permissions of its role. */
export type Permission =
  | 'decide'
  | 'ingest'
  | 'read'
  | 'docs'
  | 'work_cases'
  | 'hold'
  | 'act'
  | 'backtest'
  | 'metrics'
  | 'admin'
  | 'support'
  | 'appeal'
  | 'self';

/** The roles of API keys. */
export type Role = 'decide' | 'ingest' | 'analyst' | 'admin' | 'support' | 'metrics';

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
/** An alert as `GET /v1/alerts` lists it (src/alerts). */
export interface Alert {
  readonly id: number;
  readonly metric: string;
  /** The rule for rule_hit_rate and rule_actions_capped; null otherwise. */
  readonly subject: string | null;
  readonly hour: number;
  readonly observed: number;
  readonly expected: number;
  readonly bound: number;
  readonly count: number;
  readonly message: string;
  readonly raisedAt: number;
  readonly ackedAt: number | null;
  readonly ackedBy: string | null;
}

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
  /** The engine's clock (the latest event's time), Asia/Shanghai; null before the first event. */
  readonly eventTime: string | null;
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

/** One item of a case: a payment, finding, appeal or note that joined it. */
export interface CaseItem {
  readonly n: number;
  readonly kind: string;
  readonly ref: string | null;
  readonly txId: string | null;
  readonly risk: number;
  readonly amount: number;
  readonly note: string | null;
  readonly actor: string;
  readonly at: number;
  readonly detail: unknown;
}

/** A place in WGS 84 degrees. */
export interface Geo {
  readonly lat: number;
  readonly lon: number;
}

/** A payment as the evidence shows it (src/cases/evidence.ts), newest first. */
export interface EvidencePayment {
  readonly seq: number;
  readonly txId: string;
  readonly ts: string;
  readonly accountId: string;
  readonly amount: number;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly deviceId: string | null;
  readonly ip: string | null;
  readonly geo: Geo | null;
  readonly outcome: Outcome | null;
  readonly score: number | null;
  readonly reasons: readonly string[];
  readonly distanceFromPreviousKm?: number;
  readonly speedFromPreviousKmh?: number;
  readonly [distance: `distanceFrom${string}Km`]: number | null | undefined;
}

/** A place the payments were made at (≈1 km). */
export interface EvidencePlace extends Geo {
  readonly payments: number;
  readonly first: string;
  readonly last: string;
  readonly txIds: readonly string[];
  readonly [distance: `distanceFrom${string}Km`]: number | null | undefined;
}

/** A terminal an account paid at, where it is bound (registered). */
export interface EvidenceBoundTerminal {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly boundAddress: Geo;
  readonly payments: number;
  readonly distanceFromHomeKm: number | null;
}

/** `GET /v1/cases/{id}`'s evidence: what is known now about the subject (account or merchant/terminal). */
export interface Evidence {
  readonly subject: { readonly kind: string; readonly home?: Geo | null; readonly boundAddress?: Geo | null; readonly geo?: Geo | null; readonly [k: string]: unknown };
  readonly payments: readonly EvidencePayment[];
  readonly devices: readonly {
    readonly deviceId: string;
    readonly firstSeen?: string | null;
    readonly paymentsShown?: number;
    readonly alsoUsedBy?: readonly string[];
    readonly accounts?: readonly string[];
  }[];
  readonly home?: Geo | null;
  readonly address?: Geo | null;
  readonly boundAddress?: Geo | null;
  readonly places: readonly EvidencePlace[];
  /** An account case: the registered addresses of the terminals its payments were made at (latest used last). */
  readonly boundTerminals?: readonly EvidenceBoundTerminal[];
  readonly reasons: readonly { readonly code: string; readonly kind: string; readonly payments: number; readonly description: string | null; readonly outcome: string | null }[];
  readonly related: {
    readonly sharedDevices?: readonly { readonly accountId?: string; readonly devices?: readonly string[]; readonly deviceId?: string; readonly accounts?: readonly string[]; readonly labelledFraud?: boolean }[];
    readonly sharedIps?: readonly { readonly accountId: string; readonly ips: readonly string[]; readonly labelledFraud?: boolean }[];
    readonly sharedMerchants?: readonly { readonly accountId?: string; readonly merchants?: readonly string[]; readonly merchantId?: string; readonly accounts?: readonly string[]; readonly labelledFraud?: boolean }[];
    readonly accounts?: readonly { readonly accountId: string; readonly payments: number; readonly amount: number; readonly labelledFraud: boolean }[];
  };
}

/** `GET /v1/cases/{id}`. */
export interface CaseView {
  readonly case: CaseSummary & {
    readonly notes: readonly { readonly n: number; readonly author: string; readonly at: number; readonly text: string }[];
    readonly history: readonly { readonly n: number; readonly at: number; readonly actor: string; readonly action: string; readonly from: string | null; readonly to: string | null }[];
  };
  readonly items: readonly CaseItem[];
  readonly evidence?: Evidence;
}

/** A restriction in force (src/accounts/types.ts Hold). */
export interface Hold {
  readonly actionId: number;
  readonly reason: string;
  readonly author: string;
  readonly since: number;
  readonly expiresAt: number | null;
}

/** Everything restricting an account; null parts are not in force. */
export interface Restrictions {
  readonly frozen: Hold | null;
  readonly stepUp: Hold | null;
  readonly limit: (Hold & { readonly limit: number }) | null;
}

/** The account actions of `POST /v1/accounts/{id}/actions`. */
export type AccountAction = 'freeze' | 'unfreeze' | 'lower_limit' | 'restore_limit' | 'require_step_up' | 'lift_step_up' | 'restore';

/** `GET /v1/accounts/{id}`: the analyst's full view. */
export interface AccountView {
  readonly accountId: string;
  readonly registered: boolean;
  readonly status: string;
  readonly registration: { readonly creditLimit: number | null; readonly kyc: string | null; readonly openedAt: string | null; readonly home: Geo | null };
  readonly credit: { readonly creditLimit: number | null; readonly effectiveLimit: number | null; readonly maxLimit: number | null; readonly outstanding: number; readonly availableCredit: number | null };
  readonly restrictions: Restrictions;
  readonly rating: {
    readonly score: number;
    readonly grade: string;
    readonly ratedAt: number;
    readonly base: number;
    readonly drivers: readonly { readonly driver: string; readonly value: number | boolean | null; readonly points: number; readonly note: string }[];
  } | null;
  readonly fraudLabelled: boolean;
  readonly devices: readonly { readonly deviceId: string; readonly firstSeen: string; readonly last: boolean }[];
  readonly recentPayments: readonly {
    readonly txId: string;
    readonly ts: string;
    readonly amount: number;
    readonly merchantId: string;
    readonly terminalId: string;
    readonly merchant: unknown;
    readonly outcome: Outcome | null;
    readonly score: number | null;
    readonly reasons: readonly { readonly code: string }[];
  }[];
  readonly actions: readonly { readonly id: number; readonly action: AccountAction; readonly reason: string; readonly author: string; readonly at: number; readonly expiresAt: number | null; readonly limit: number | null }[];
  readonly appeals: readonly { readonly id: number; readonly txId: string | null; readonly text: string; readonly author: string; readonly at: number; readonly caseId: string | null }[];
}

/** Words in both languages, as the customer view gives them. */
export interface Bilingual {
  readonly en: string;
  readonly zh: string;
}

/** `GET /v1/accounts/{id}/customer-view`: what the customer is told. */
export interface CustomerView {
  readonly accountId: string;
  readonly status: string;
  readonly statusText: Bilingual;
  readonly restrictions: readonly { readonly kind: string; readonly until: string | null; readonly message: Bilingual; readonly whatYouCanDo: Bilingual }[];
  readonly creditLimit: number | null;
  readonly availableCredit: number | null;
  /** What the customer was told (src/notices), newest first; absent from servers before notices. */
  readonly notices?: readonly { readonly kind: string; readonly text: { readonly 'zh-CN': string; readonly en: string }; readonly at: string }[];
  readonly transactions: readonly { readonly txId: string; readonly time: string; readonly amount: number; readonly merchant: string | null; readonly merchantId: string; readonly outcome: string; readonly outcomeText: Bilingual }[];
  readonly next: string | null;
}
