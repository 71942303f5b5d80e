/**
 * The rows of the policy tables on PostgreSQL and how they read as the port's values (split from
 * policies.ts to keep it small). bigint columns arrive as text from the driver and become numbers;
 * sealed columns are opened by the caller's PgCrypt.
 */
import type { PolicySource } from '../../rules/compile.js';
import type { IncidentMode, PolicyVersion, Proposal, ProposalState, Publication, PublicationKind, VersionState } from '../../policy/versions.js';
import type { PgCrypt } from './crypt.js';

/** A policy_versions row. */
export interface VersionRow {
  version: number;
  parent: number | null;
  name: string;
  author: string;
  created_at: string;
  description: string;
  sources: string;
  model_hash: string | null;
  state: string;
}

/** A policy_proposals row (note and reason sealed). */
export interface ProposalRow {
  id: number;
  version: number;
  proposed_by: string;
  proposed_at: string;
  note: string;
  state: string;
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
}

/** A policy_publications row (reason sealed). */
export interface PublicationRow {
  seq: number;
  version: number;
  kind: string;
  from_version: number | null;
  actor: string;
  proposed_by: string | null;
  proposal_id: number | null;
  at: string;
  journal_seq: string | null;
  reason: string | null;
}

/** A policy_modes row. */
export interface ModeRow {
  name: string;
  description: string;
  rules: string;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
  active: boolean;
  active_since: string | null;
  active_by: string | null;
  approved_by: string | null;
  approved_at: string | null;
  approved_proposer: string | null;
  proposed_description: string | null;
  proposed_rules: string | null;
  proposed_by: string | null;
  proposed_at: string | null;
}

/** The columns of a VersionRow, selected by every version read. */
export const VERSION_COLUMNS = 'version, parent, name, author, created_at, description, sources, model_hash, state';
/** The columns of a ProposalRow. */
export const PROPOSAL_COLUMNS = 'id, version, proposed_by, proposed_at, note, state, decided_by, decided_at, reason';
/** The columns of a PublicationRow. */
export const PUBLICATION_COLUMNS = 'seq, version, kind, from_version, actor, proposed_by, proposal_id, at, journal_seq, reason';
/** The columns of a ModeRow. */
export const MODE_COLUMNS =
  'name, description, rules, created_by, created_at, updated_by, updated_at, active, active_since, active_by, ' +
  'approved_by, approved_at, approved_proposer, proposed_description, proposed_rules, proposed_by, proposed_at';

function num(v: string | null): number | null {
  return v === null ? null : Number(v);
}

/** A version row as the port's PolicyVersion. */
export function toVersion(r: VersionRow): PolicyVersion {
  return {
    version: r.version,
    parent: r.parent,
    name: r.name,
    author: r.author,
    createdAt: Number(r.created_at),
    description: r.description,
    sources: JSON.parse(r.sources) as PolicySource[],
    modelHash: r.model_hash,
    state: r.state as VersionState,
  };
}

/** A proposal row as the port's Proposal, note and reason opened. */
export async function toProposal(r: ProposalRow, crypt: PgCrypt): Promise<Proposal> {
  return {
    id: r.id,
    version: r.version,
    proposedBy: r.proposed_by,
    proposedAt: Number(r.proposed_at),
    note: await crypt.openText(r.note),
    state: r.state as ProposalState,
    decidedBy: r.decided_by,
    decidedAt: num(r.decided_at),
    reason: await crypt.openOpt(r.reason),
  };
}

/** A publication row as the port's Publication, its reason opened. */
export async function toPublication(r: PublicationRow, crypt: PgCrypt): Promise<Publication> {
  return {
    seq: r.seq,
    version: r.version,
    kind: r.kind as PublicationKind,
    fromVersion: r.from_version,
    actor: r.actor,
    proposedBy: r.proposed_by,
    proposalId: r.proposal_id,
    at: Number(r.at),
    journalSeq: r.journal_seq === null ? null : Number(r.journal_seq),
    reason: await crypt.openOpt(r.reason),
  };
}

/** A mode row as the port's IncidentMode. */
export function toMode(r: ModeRow): IncidentMode {
  return {
    name: r.name,
    description: r.description,
    rules: r.rules,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedBy: r.updated_by,
    updatedAt: Number(r.updated_at),
    approvedBy: r.approved_by,
    approvedAt: num(r.approved_at),
    approvedProposer: r.approved_proposer,
    proposal:
      r.proposed_rules === null || r.proposed_by === null
        ? null
        : { description: r.proposed_description ?? '', rules: r.proposed_rules, proposedBy: r.proposed_by, proposedAt: num(r.proposed_at) ?? 0 },
    active: r.active,
    activeSince: num(r.active_since),
    activeBy: r.active_by,
  };
}
