/**
 * What the policy routes answer (src/policy/lifecycle.ts, versions.ts, diff.ts; src/errors.ts for a
 * diagnostic), as the Rules page reads them.
 */
import type { BacktestReportView } from './backtest-charts';

/** One `*.fk` file of a version. */
export interface PolicyFile {
  readonly file: string;
  readonly text: string;
}

/** One diagnostic of the rule language (422 `invalid_policy` details, or a compile warning). */
export interface PolicyDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning';
}

/** A version's state. */
export type VersionState = 'draft' | 'proposed' | 'rejected' | 'live' | 'retired';

/** `GET /v1/policies`: one version without its texts. */
export interface VersionSummary {
  readonly version: number;
  readonly parent: number | null;
  readonly name: string;
  readonly author: string;
  readonly createdAt: number;
  readonly description: string;
  readonly files: readonly string[];
  readonly modelHash: string | null;
  readonly state: VersionState;
}

/** `GET /v1/policies` */
export interface VersionPage {
  readonly versions: readonly VersionSummary[];
  readonly next: number | null;
}

/** A four-eyes request. */
export interface Proposal {
  readonly id: number;
  readonly version: number;
  readonly proposedBy: string;
  readonly proposedAt: number;
  readonly note: string;
  readonly state: 'open' | 'approved' | 'published' | 'rejected' | 'cancelled';
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly reason: string | null;
}

/** One hunk of a file's diff. */
export interface Hunk {
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  readonly lines: readonly string[];
}

/** How one file differs from the parent. */
export interface FileDiff {
  readonly file: string;
  readonly status: 'added' | 'removed' | 'modified';
  readonly additions: number;
  readonly deletions: number;
  readonly hunks: readonly Hunk[];
}

/** Names added, removed, changed. */
export interface NameChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** A version against its parent. */
export interface PolicyDiff {
  readonly parent: number | null;
  readonly files: readonly FileDiff[];
  readonly summary: { readonly rules: NameChanges; readonly windows: NameChanges; readonly features: NameChanges };
}

/** The compile summary of a version. */
export interface CompileSummary {
  readonly ok: boolean;
  readonly rules?: number;
  readonly windows?: readonly string[];
  readonly features?: number;
  readonly warnings?: readonly PolicyDiagnostic[];
  readonly freshWindows?: readonly string[];
  readonly diagnostics?: readonly PolicyDiagnostic[];
}

/** `GET /v1/policies/{n}` as it really answers: the files with their texts. */
export interface VersionShown extends Omit<VersionSummary, 'files'> {
  readonly files: readonly PolicyFile[];
  readonly diff: PolicyDiff;
  readonly compile: CompileSummary;
  readonly proposals: readonly Proposal[];
}

/** `GET /v1/policies/live` */
export interface LivePolicy {
  readonly version: number;
  readonly name: string;
  readonly policy: string;
  readonly description: string;
  readonly modes: readonly { readonly name: string }[];
  readonly publishing: { readonly version: number; readonly kind: string } | null;
}

/** `POST /v1/policies/validate` */
export interface Validated {
  readonly ok: boolean;
  readonly parent: number;
  readonly diff: PolicyDiff;
  readonly compile: CompileSummary;
}

/** A backtest's state. */
export type BacktestState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** One backtest run as the backtest routes answer it. */
export interface BacktestRunView {
  readonly id: number;
  readonly version: number;
  readonly state: BacktestState;
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly error: { readonly message: string } | null;
  readonly progress: { readonly fraction: number } | null;
}

/** `POST /v1/policies/{n}/backtests` (202) */
export interface BacktestStarted {
  readonly backtest: BacktestRunView;
}

/** `GET /v1/policies/{n}/backtests/{id}` */
export interface BacktestShown {
  readonly backtest: BacktestRunView;
  /** The short text summary, once done. */
  readonly text: string | null;
  /** The full report, once done (read as far as the charts need it). */
  readonly report?: BacktestReportView | null;
}

/** A definition of an incident mode waiting for a second admin key (four eyes). */
export interface ModeProposal {
  readonly description: string;
  readonly rules: string;
  readonly proposedBy: string;
  readonly proposedAt: number;
}

/**
 * An incident mode: an overlay of rules and settings on the live version, on or off. `description`
 * and `rules` are the approved definition (empty, `approvedAt` null, while never approved).
 */
export interface IncidentMode {
  readonly name: string;
  readonly description: string;
  readonly rules: string;
  readonly updatedBy: string;
  readonly updatedAt: number;
  readonly approvedBy: string | null;
  readonly approvedAt: number | null;
  readonly approvedProposer: string | null;
  readonly proposal: ModeProposal | null;
  readonly active: boolean;
  readonly activeSince: number | null;
  readonly activeBy: string | null;
}

/** `POST /v1/modes/{name}/validate` */
export interface ModeChecked {
  readonly ok: boolean;
  readonly name: string;
  /** What it would decide as, switched on. */
  readonly policy: string;
}

/** `GET /v1/modes` */
export interface ModeList {
  readonly modes: readonly IncidentMode[];
  /** The policy deciding now, overlays included. */
  readonly policy: string;
}
