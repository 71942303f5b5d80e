/**
 * Cases: what the risk team investigates. A review, a failed challenge, a detector's finding, a
 * customer's appeal or an analyst opens a case — one open case per subject (account, merchant,
 * terminal) and issue, which later findings of the same kind join as items. `CaseOpener` is the one
 * entry point other modules (appeals, detectors, the decision hook) open cases through.
 */

/** What opens or joins a case. */
export interface OpenCaseInput {
  subjectKind: 'account' | 'merchant' | 'terminal';
  subjectId: string;
  /** 'review' | 'challenge_failed' | 'appeal' | 'detector:<name>' | 'analyst' | 'settlement_held' */
  issue: string;
  /** ref: txId, appeal id, finding id, … — an item with a ref already on the open case is not added twice. */
  source: { kind: 'decision' | 'appeal' | 'detector' | 'analyst'; ref?: string };
  /** 0–100 */
  risk: number;
  /** fen at stake */
  amount: number;
  note?: string;
  actor: string;
  /** The payment this item is about, when it is one (an appealed payment, a reviewed one): resolving the case labels it. */
  txId?: string;
}

/**
 * Opens a case, or joins the open case of the same subject and issue (created=false). Bad input
 * throws a FengkongError naming the field (`path`), and changes nothing.
 */
export interface CaseOpener {
  open(input: OpenCaseInput): { caseId: string; created: boolean };
}

/** Internal callers may attach a payment and structured evidence to what they open. */
export interface OpenCaseRequest extends OpenCaseInput {
  /** Structured evidence kept with the item (a detector's finding, a decision's reasons). */
  detail?: unknown;
}

/** Subjects a case can be about. */
export type SubjectKind = OpenCaseInput['subjectKind'];
export const SUBJECT_KINDS: readonly SubjectKind[] = ['account', 'merchant', 'terminal'];

/** Where an item came from. */
export type SourceKind = OpenCaseInput['source']['kind'];
export const SOURCE_KINDS: readonly SourceKind[] = ['decision', 'appeal', 'detector', 'analyst'];

/** open → investigating → resolved; investigating may go back to open (unassigned work). */
export type CaseStatus = 'open' | 'investigating' | 'resolved';
export const CASE_STATUSES: readonly CaseStatus[] = ['open', 'investigating', 'resolved'];

/** What an investigation concluded. */
export type Resolution = 'fraud' | 'legitimate';
export const RESOLUTIONS: readonly Resolution[] = ['fraud', 'legitimate'];

/** A case as the queue lists it. */
export interface CaseSummary {
  /** `case-<n>` */
  readonly id: string;
  readonly subjectKind: SubjectKind;
  readonly subjectId: string;
  readonly issue: string;
  readonly status: CaseStatus;
  /** Highest risk (0–100) of its items. */
  readonly risk: number;
  /** Fen at stake: the sum of its items' amounts. */
  readonly amount: number;
  /** risk × amount / 100: the risk-weighted fen at stake; the queue's order (ties: older first). */
  readonly priority: number;
  readonly assignee: string | null;
  /** Wall-clock epoch ms. */
  readonly openedAt: number;
  readonly openedBy: string;
  readonly updatedAt: number;
  readonly items: number;
  readonly resolution: Resolution | null;
  readonly typology: string | null;
  readonly resolvedAt: number | null;
  readonly resolvedBy: string | null;
  /** Labels emitted when it was resolved (null while unresolved or still on their way to the journal). */
  readonly labels: number | null;
}

/** One payment, finding, appeal or analyst entry that joined a case. */
export interface CaseItem {
  readonly n: number;
  readonly kind: SourceKind;
  readonly ref: string | null;
  readonly txId: string | null;
  readonly risk: number;
  readonly amount: number;
  readonly note: string | null;
  readonly actor: string;
  readonly at: number;
  readonly detail: unknown;
}

/** A note an analyst wrote. */
export interface CaseNote {
  readonly n: number;
  readonly author: string;
  readonly at: number;
  readonly text: string;
}

/** One change of a case: opened, item joined, assigned, status, note, resolved. */
export interface CaseChange {
  readonly n: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** A case with everything recorded on it. */
export interface CaseRecord extends CaseSummary {
  readonly itemList: readonly CaseItem[];
  readonly notes: readonly CaseNote[];
  readonly history: readonly CaseChange[];
}

/** Queue filters; all optional, all narrowing. */
export interface CaseQuery {
  /** `active` (open and investigating; the default), `all`, or one status. */
  readonly status?: CaseStatus | 'active' | 'all';
  readonly assignee?: string | null;
  readonly subjectKind?: SubjectKind;
  readonly subjectId?: string;
  /** Exact, or a prefix ending in ':' (`detector:`). */
  readonly issue?: string;
  /** The `next` of the previous page. */
  readonly after?: string;
  /** 1–500, default 50. */
  readonly limit?: number;
}

/** The largest page of the queue. */
export const CASE_MAX_PAGE = 500;

/** The case id of row `n`. */
export function caseId(n: number): string {
  return `case-${n}`;
}

/** The row of a case id, or null when it is not one. */
export function caseNumber(id: string): number | null {
  const m = /^case-([1-9]\d{0,15})$/.exec(id);
  return m === null ? null : Number(m[1]);
}

/** The priority formula: risk (0–100) × fen at stake / 100, i.e. the risk-weighted amount at stake. */
export function priorityOf(risk: number, amount: number): number {
  return Math.round(risk * amount) / 100;
}

/** The bands of the case queue's priority, most urgent first; see PRIORITY_BANDS. */
export type PriorityBand = 'critical' | 'high' | 'medium' | 'low';

/**
 * Where each priority band starts: the lowest priority (risk-weighted fen at stake, priorityOf) it
 * holds, in decades of yuan — ¥10,000, ¥1,000, ¥100, and everything below (nothing at stake
 * included). Decades because the priority spans orders of magnitude: a ¥500 payment reviewed at
 * score 70 is medium (¥350), a ¥3,000 one at 60 high (¥1,800), a cash-out ring of five ¥5,000
 * round sums at risk 80 critical (¥20,000), an appeal without a payment low (0). Fixed rather than
 * quantiles of the queue, so a count per band means the same from one day to the next.
 */
export const PRIORITY_BANDS: readonly { readonly band: PriorityBand; readonly from: number }[] = [
  { band: 'critical', from: 1_000_000 },
  { band: 'high', from: 100_000 },
  { band: 'medium', from: 10_000 },
  { band: 'low', from: -Infinity },
];

/** The band of a case's priority (the first of PRIORITY_BANDS it reaches). */
export function priorityBand(priority: number): PriorityBand {
  for (const b of PRIORITY_BANDS) if (priority >= b.from) return b.band;
  return 'low';
}
