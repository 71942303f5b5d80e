/**
 * The policy store port: every version of the policy (its files, model and lineage), the four-eyes
 * proposals to publish one, the history of what was live when, and the incident overlays. The
 * store only keeps and reads; the lifecycle (lifecycle.ts) decides what may change and swaps the
 * engine. Adapters: SqlitePolicyStore, on the data folder's SQLite file.
 */
import { createHash } from 'node:crypto';
import type { Result, ResultKind } from '../io/result-kind.js';
import type { PolicySource } from '../rules/compile.js';

/**
 * Where a version stands. `draft`: compiled clean, stored, never proposed (or a proposal was
 * withdrawn); `proposed`: waiting for a second admin; `rejected`: its last proposal was refused;
 * `live`: deciding now; `retired`: was live before (a rollback may bring it back).
 */
export type VersionState = 'draft' | 'proposed' | 'rejected' | 'live' | 'retired';

/** One stored version of the policy. Immutable except for its state. */
export interface PolicyVersion {
  /** 1, 2, 3, … in the order they were drafted. */
  readonly version: number;
  /** The version it was drafted from (its diff is against this one); null for the first. */
  readonly parent: number | null;
  /** What decisions name it: `v7` (version 1, imported at first start, keeps its pack's name). */
  readonly name: string;
  /** Key id of the admin who drafted it (`system` for the import). */
  readonly author: string;
  /** Wall-clock epoch ms. */
  readonly createdAt: number;
  readonly description: string;
  /** Its `*.fk` files, sorted by name. */
  readonly sources: readonly PolicySource[];
  /** sha256 of the model scoring beside its rules, or null for rules only. */
  readonly modelHash: string | null;
  readonly state: VersionState;
}

/** What a draft stores; number, name, time and state are the store's. */
export interface NewVersion {
  readonly parent: number | null;
  readonly author: string;
  readonly description: string;
  readonly sources: readonly PolicySource[];
  /** The model file's JSON text, or null. */
  readonly model: string | null;
  /** Overrides the `v<N>` name (the import keeps its pack's name). */
  readonly name?: string;
}

/** A version in a listing: everything but the file texts. */
export interface VersionSummary extends Omit<PolicyVersion, 'sources'> {
  readonly files: readonly string[];
}

/** The state of one request to publish a version. */
export type ProposalState = 'open' | 'approved' | 'published' | 'rejected' | 'cancelled';

/**
 * A four-eyes request: one admin proposes, another approves (which publishes) or anyone rejects.
 * `approved` lasts while the approved version warms its windows; then `published`.
 */
export interface Proposal {
  readonly id: number;
  readonly version: number;
  readonly proposedBy: string;
  readonly proposedAt: number;
  readonly note: string;
  readonly state: ProposalState;
  /** Who approved, rejected or cancelled it, and when; null while open. */
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  /** Why it was rejected or cancelled. */
  readonly reason: string | null;
}

/** How a version became live. */
export type PublicationKind = 'import' | 'publish' | 'rollback';

/** One change of the live version: the history of what decided when. */
export interface Publication {
  /** 1, 2, 3, … in order; the highest is live. */
  readonly seq: number;
  readonly version: number;
  readonly kind: PublicationKind;
  /** The version live before; null for the import. */
  readonly fromVersion: number | null;
  /** Who made it live: the approver of a publish, the caller of a rollback, `system` for the import. */
  readonly actor: string;
  /** Who proposed a publish (the first pair of eyes); null otherwise. */
  readonly proposedBy: string | null;
  readonly proposalId: number | null;
  readonly at: number;
  /**
   * The journal seq of the last event decided by the version before: every later one is this one's.
   * Null on a cluster while the publication is recorded but its partition's owner has not placed it
   * in the journal yet (warming new windows, or between owners): the version before still decides.
   */
  readonly journalSeq: number | null;
  /** The reason given for a rollback, or a note. */
  readonly reason: string | null;
}

/** A publication to record; seq and time are the store's. */
export type NewPublication = Omit<Publication, 'seq' | 'at'>;

/**
 * A definition of an incident mode one admin proposed and a second must approve (four eyes) before it
 * can decide: a mode's overlay changes decisions as much as a version does.
 */
export interface ModeProposal {
  readonly description: string;
  readonly rules: string;
  readonly proposedBy: string;
  readonly proposedAt: number;
}

/**
 * A prepared emergency overlay: rules and settings in the rule language, compiled on top of the live
 * version while it is on (its settings win over the version's). `description` and `rules` are the
 * approved definition — the one that decides while the mode is on; both are empty and `approvedAt` is
 * null while no definition was ever approved. A change waits in `proposal` for a second admin.
 */
export interface IncidentMode {
  readonly name: string;
  readonly description: string;
  readonly rules: string;
  readonly createdBy: string;
  readonly createdAt: number;
  /** Who last changed the approved definition (its approver) and when. */
  readonly updatedBy: string;
  readonly updatedAt: number;
  /** Who approved the definition in force and when; null while never approved (it cannot be switched on). */
  readonly approvedBy: string | null;
  readonly approvedAt: number | null;
  /** Who proposed the definition in force (the first pair of eyes); null while never approved. */
  readonly approvedProposer: string | null;
  /** A definition waiting for a second admin, or null. */
  readonly proposal: ModeProposal | null;
  readonly active: boolean;
  /** When and by whom it was last switched on; null while off. */
  readonly activeSince: number | null;
  readonly activeBy: string | null;
}

/** A page request: newest first, below `before`, at most `limit`. */
export interface Page {
  readonly before?: number;
  readonly limit?: number;
}

/** sha256 of a model's JSON text: its identity in the store. */
export function modelHash(json: string): string {
  return createHash('sha256').update(json, 'utf8').digest('hex');
}

/** Upper bound of one page. */
export const POLICY_MAX_PAGE = 500;

/**
 * Durable policy versions, proposals, publications and incident modes, generic over the adapter's
 * kind (see io/result-kind.ts). The lifecycle, the modes and the boot take `PolicyStore<'sync'>`: a
 * publication reads the journal position, commits and swaps the engine's policy in one synchronous
 * step, so no decision can fall between them; a networked store needs that step redesigned.
 */
export interface PolicyStore<K extends ResultKind = ResultKind> {
  /**
   * Runs `fn` as one transaction: everything it writes through this store (and through anything on
   * the same database, such as the audit log) commits together, or nothing does when it throws (or
   * rejects). For the sync kind `fn` returns a value, never a promise: an SQLite transaction cannot
   * span an await; code for both kinds chains its steps without awaiting (a value at once, a
   * promise after it).
   */
  atomically<T>(fn: () => Result<K, T>): Result<K, T>;

  /** The number the next version will get. */
  nextVersion(): Result<K, number>;
  /** Stores a new version in state `draft`. */
  createVersion(v: NewVersion): Result<K, PolicyVersion>;
  version(n: number): Result<K, PolicyVersion | undefined>;
  /** Versions newest first, without their texts. */
  versions(page?: Page): Result<K, VersionSummary[]>;
  setState(version: number, state: VersionState): Result<K, void>;
  /** A model's JSON text by its hash. */
  model(hash: string): Result<K, string | undefined>;

  /** Opens a proposal and sets the version `proposed`. */
  propose(version: number, actor: string, note: string): Result<K, Proposal>;
  /** The open or approved (warming) proposal of `version`, if any. */
  pendingProposal(version: number): Result<K, Proposal | undefined>;
  /** Every proposal approved and not yet published (a publication a restart interrupted). */
  approvedProposals(): Result<K, Proposal[]>;
  /** Moves a proposal on; `reason` for rejections and cancellations. */
  decideProposal(id: number, state: Exclude<ProposalState, 'open'>, actor: string, reason?: string | null): Result<K, Proposal>;
  proposals(version: number): Result<K, Proposal[]>;

  /** Records a publication and moves the states: the new version `live`, the one before `retired`. */
  publish(p: NewPublication): Result<K, Publication>;
  /** The latest publication: what is live. */
  live(): Result<K, Publication | undefined>;
  /** Publications newest first. */
  publications(page?: Page): Result<K, Publication[]>;
  /** Whether `version` was ever live. */
  wasPublished(version: number): Result<K, boolean>;

  /**
   * Proposes a definition: creates the mode (never approved, off) when there is none, and replaces any
   * pending proposal; the approved definition and the on/off state are kept.
   */
  proposeMode(name: string, description: string, rules: string, actor: string): Result<K, IncidentMode>;
  /** Makes the pending proposal the approved definition (NotFoundError without a mode; ConflictError without a proposal). */
  approveMode(name: string, actor: string): Result<K, IncidentMode>;
  /** Drops the pending proposal (rejected or withdrawn); the approved definition stays. */
  dropModeProposal(name: string): Result<K, IncidentMode>;
  mode(name: string): Result<K, IncidentMode | undefined>;
  /** Every mode by name. */
  modes(): Result<K, IncidentMode[]>;
  /** The modes on, in the order they were switched on (later ones' settings win). */
  activeModes(): Result<K, IncidentMode[]>;
  setModeActive(name: string, active: boolean, actor: string): Result<K, IncidentMode>;
  /** Deletes a mode that is off. */
  deleteMode(name: string): Result<K, void>;
}
