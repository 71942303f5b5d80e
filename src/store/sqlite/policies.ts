/**
 * The policy store on the data folder's SQLite file (the store's own connection): versions with
 * their files, models once per content hash, four-eyes proposals, the publication history and the
 * incident modes. Tables are created IF NOT EXISTS on open, so an existing data folder gains them.
 * Changes run in IMMEDIATE transactions through `atomically`, with the audit log (same connection)
 * inside them: a change and its audit entry commit together or not at all.
 */
import type { Database, Statement } from 'better-sqlite3';
import { ConflictError, NotFoundError, StoreError } from '../../errors.js';
import type { PolicySource } from '../../rules/compile.js';
import {
  modelHash,
  POLICY_MAX_PAGE,
  type IncidentMode,
  type NewPublication,
  type NewVersion,
  type Page,
  type PolicyStore,
  type PolicyVersion,
  type Proposal,
  type ProposalState,
  type Publication,
  type PublicationKind,
  type VersionState,
  type VersionSummary,
} from '../../policy/versions.js';

const DDL = `
CREATE TABLE IF NOT EXISTS policy_models (
  hash TEXT PRIMARY KEY,
  json TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS policy_versions (
  version     INTEGER PRIMARY KEY,
  parent      INTEGER REFERENCES policy_versions (version),
  name        TEXT    NOT NULL,
  author      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  description TEXT    NOT NULL,
  sources     TEXT    NOT NULL,
  model_hash  TEXT    REFERENCES policy_models (hash),
  state       TEXT    NOT NULL CHECK (state IN ('draft', 'proposed', 'rejected', 'live', 'retired'))
) STRICT;
CREATE TABLE IF NOT EXISTS policy_proposals (
  id          INTEGER PRIMARY KEY,
  version     INTEGER NOT NULL REFERENCES policy_versions (version),
  proposed_by TEXT    NOT NULL,
  proposed_at INTEGER NOT NULL,
  note        TEXT    NOT NULL,
  state       TEXT    NOT NULL CHECK (state IN ('open', 'approved', 'published', 'rejected', 'cancelled')),
  decided_by  TEXT,
  decided_at  INTEGER,
  reason      TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS policy_proposals_version ON policy_proposals (version);
CREATE TABLE IF NOT EXISTS policy_publications (
  seq          INTEGER PRIMARY KEY,
  version      INTEGER NOT NULL REFERENCES policy_versions (version),
  kind         TEXT    NOT NULL CHECK (kind IN ('import', 'publish', 'rollback')),
  from_version INTEGER,
  actor        TEXT    NOT NULL,
  proposed_by  TEXT,
  proposal_id  INTEGER,
  at           INTEGER NOT NULL,
  journal_seq  INTEGER NOT NULL,
  reason       TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS policy_modes (
  name         TEXT    PRIMARY KEY,
  description  TEXT    NOT NULL,
  rules        TEXT    NOT NULL,
  created_by   TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_by   TEXT    NOT NULL,
  updated_at   INTEGER NOT NULL,
  active       INTEGER NOT NULL CHECK (active IN (0, 1)),
  active_since INTEGER,
  active_by    TEXT
) STRICT;
`;

/**
 * The four-eyes columns of policy_modes, added to a data folder made before them: a mode saved then
 * was in force at once, so it counts as approved by whoever saved it last.
 */
const MODE_FOUR_EYES: readonly (readonly [string, string])[] = [
  ['approved_by', 'TEXT'],
  ['approved_at', 'INTEGER'],
  ['approved_proposer', 'TEXT'],
  ['proposed_description', 'TEXT'],
  ['proposed_rules', 'TEXT'],
  ['proposed_by', 'TEXT'],
  ['proposed_at', 'INTEGER'],
];

function migrateModes(db: Database): void {
  const have = new Set((db.prepare('PRAGMA table_info(policy_modes)').all() as { name: string }[]).map((c) => c.name));
  const missing = MODE_FOUR_EYES.filter(([c]) => !have.has(c));
  if (missing.length === 0) return;
  db.transaction(() => {
    for (const [c, type] of missing) db.exec(`ALTER TABLE policy_modes ADD COLUMN ${c} ${type}`);
    if (missing.some(([c]) => c === 'approved_at')) {
      db.exec('UPDATE policy_modes SET approved_by = updated_by, approved_at = updated_at, approved_proposer = updated_by');
    }
  })();
}

interface VersionRow {
  version: number;
  parent: number | null;
  name: string;
  author: string;
  created_at: number;
  description: string;
  sources: string;
  model_hash: string | null;
  state: string;
}

interface ProposalRow {
  id: number;
  version: number;
  proposed_by: string;
  proposed_at: number;
  note: string;
  state: string;
  decided_by: string | null;
  decided_at: number | null;
  reason: string | null;
}

interface PublicationRow {
  seq: number;
  version: number;
  kind: string;
  from_version: number | null;
  actor: string;
  proposed_by: string | null;
  proposal_id: number | null;
  at: number;
  journal_seq: number;
  reason: string | null;
}

interface ModeRow {
  name: string;
  description: string;
  rules: string;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
  active: number;
  active_since: number | null;
  active_by: string | null;
  approved_by: string | null;
  approved_at: number | null;
  approved_proposer: string | null;
  proposed_description: string | null;
  proposed_rules: string | null;
  proposed_by: string | null;
  proposed_at: number | null;
}

const VERSION_COLUMNS = 'version, parent, name, author, created_at, description, sources, model_hash, state';
const PROPOSAL_COLUMNS = 'id, version, proposed_by, proposed_at, note, state, decided_by, decided_at, reason';
const PUBLICATION_COLUMNS = 'seq, version, kind, from_version, actor, proposed_by, proposal_id, at, journal_seq, reason';
const MODE_COLUMNS =
  'name, description, rules, created_by, created_at, updated_by, updated_at, active, active_since, active_by, ' +
  'approved_by, approved_at, approved_proposer, proposed_description, proposed_rules, proposed_by, proposed_at';

function toVersion(r: VersionRow): PolicyVersion {
  return {
    version: r.version,
    parent: r.parent,
    name: r.name,
    author: r.author,
    createdAt: r.created_at,
    description: r.description,
    sources: JSON.parse(r.sources) as PolicySource[],
    modelHash: r.model_hash,
    state: r.state as VersionState,
  };
}

function toProposal(r: ProposalRow): Proposal {
  return {
    id: r.id,
    version: r.version,
    proposedBy: r.proposed_by,
    proposedAt: r.proposed_at,
    note: r.note,
    state: r.state as ProposalState,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    reason: r.reason,
  };
}

function toPublication(r: PublicationRow): Publication {
  return {
    seq: r.seq,
    version: r.version,
    kind: r.kind as PublicationKind,
    fromVersion: r.from_version,
    actor: r.actor,
    proposedBy: r.proposed_by,
    proposalId: r.proposal_id,
    at: r.at,
    journalSeq: r.journal_seq,
    reason: r.reason,
  };
}

function toMode(r: ModeRow): IncidentMode {
  return {
    name: r.name,
    description: r.description,
    rules: r.rules,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    approvedProposer: r.approved_proposer,
    proposal:
      r.proposed_rules === null || r.proposed_by === null
        ? null
        : { description: r.proposed_description ?? '', rules: r.proposed_rules, proposedBy: r.proposed_by, proposedAt: r.proposed_at ?? 0 },
    active: r.active === 1,
    activeSince: r.active_since,
    activeBy: r.active_by,
  };
}

function limitOf(p: Page): number {
  return Math.min(Math.max(1, Math.trunc(p.limit ?? 100)), POLICY_MAX_PAGE);
}

/** PolicyStore on an open better-sqlite3 connection (the SqliteStore's `database`). */
export class SqlitePolicyStore implements PolicyStore<'sync'> {
  private readonly s: {
    maxVersion: Statement<[], { n: number | null }>;
    insertModel: Statement<[string, string]>;
    selectModel: Statement<[string], { json: string }>;
    insertVersion: Statement<[number, number | null, string, string, number, string, string, string | null]>;
    selectVersion: Statement<[number], VersionRow>;
    selectVersions: Statement<[number, number], VersionRow>;
    updateState: Statement<[string, number]>;
    insertProposal: Statement<[number, string, number, string]>;
    selectProposal: Statement<[number], ProposalRow>;
    selectPending: Statement<[number], ProposalRow>;
    selectApproved: Statement<[], ProposalRow>;
    selectProposals: Statement<[number], ProposalRow>;
    updateProposal: Statement<[string, string, number, string | null, number]>;
    insertPublication: Statement<[number, string, number | null, string, string | null, number | null, number, number, string | null]>;
    selectPublication: Statement<[number], PublicationRow>;
    selectLive: Statement<[], PublicationRow>;
    selectPublications: Statement<[number, number], PublicationRow>;
    selectPublished: Statement<[number], { n: number }>;
    selectMode: Statement<[string], ModeRow>;
    selectModes: Statement<[], ModeRow>;
    selectActive: Statement<[], ModeRow>;
    insertMode: Statement<[string, string, number, string, number]>;
    updateModeProposal: Statement<[string | null, string | null, string | null, number | null, string]>;
    approveMode: Statement<[string, number, string, number, string]>;
    updateModeActive: Statement<[number, number | null, string | null, string]>;
    deleteMode: Statement<[string]>;
  };

  /** Creates the tables when missing (a read-only connection can only read). */
  constructor(private readonly db: Database) {
    try {
      if (!db.readonly) {
        db.exec(DDL);
        migrateModes(db);
      }
      this.s = {
        maxVersion: db.prepare('SELECT max(version) AS n FROM policy_versions'),
        insertModel: db.prepare('INSERT OR IGNORE INTO policy_models (hash, json) VALUES (?, ?)'),
        selectModel: db.prepare('SELECT json FROM policy_models WHERE hash = ?'),
        insertVersion: db.prepare(
          `INSERT INTO policy_versions (version, parent, name, author, created_at, description, sources, model_hash, state) ` +
            `VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft')`,
        ),
        selectVersion: db.prepare(`SELECT ${VERSION_COLUMNS} FROM policy_versions WHERE version = ?`),
        selectVersions: db.prepare(`SELECT ${VERSION_COLUMNS} FROM policy_versions WHERE version < ? ORDER BY version DESC LIMIT ?`),
        updateState: db.prepare('UPDATE policy_versions SET state = ? WHERE version = ?'),
        insertProposal: db.prepare(`INSERT INTO policy_proposals (version, proposed_by, proposed_at, note, state) VALUES (?, ?, ?, ?, 'open')`),
        selectProposal: db.prepare(`SELECT ${PROPOSAL_COLUMNS} FROM policy_proposals WHERE id = ?`),
        selectPending: db.prepare(
          `SELECT ${PROPOSAL_COLUMNS} FROM policy_proposals WHERE version = ? AND state IN ('open', 'approved') ORDER BY id DESC LIMIT 1`,
        ),
        selectApproved: db.prepare(`SELECT ${PROPOSAL_COLUMNS} FROM policy_proposals WHERE state = 'approved' ORDER BY id`),
        selectProposals: db.prepare(`SELECT ${PROPOSAL_COLUMNS} FROM policy_proposals WHERE version = ? ORDER BY id DESC`),
        updateProposal: db.prepare('UPDATE policy_proposals SET state = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?'),
        insertPublication: db.prepare(
          `INSERT INTO policy_publications (version, kind, from_version, actor, proposed_by, proposal_id, at, journal_seq, reason) ` +
            `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ),
        selectPublication: db.prepare(`SELECT ${PUBLICATION_COLUMNS} FROM policy_publications WHERE seq = ?`),
        selectLive: db.prepare(`SELECT ${PUBLICATION_COLUMNS} FROM policy_publications ORDER BY seq DESC LIMIT 1`),
        selectPublications: db.prepare(`SELECT ${PUBLICATION_COLUMNS} FROM policy_publications WHERE seq < ? ORDER BY seq DESC LIMIT ?`),
        selectPublished: db.prepare('SELECT count(*) AS n FROM policy_publications WHERE version = ?'),
        selectMode: db.prepare(`SELECT ${MODE_COLUMNS} FROM policy_modes WHERE name = ?`),
        selectModes: db.prepare(`SELECT ${MODE_COLUMNS} FROM policy_modes ORDER BY name`),
        selectActive: db.prepare(`SELECT ${MODE_COLUMNS} FROM policy_modes WHERE active = 1 ORDER BY active_since, name`),
        insertMode: db.prepare(
          `INSERT INTO policy_modes (name, description, rules, created_by, created_at, updated_by, updated_at, active) ` +
            `VALUES (?, '', '', ?, ?, ?, ?, 0)`,
        ),
        updateModeProposal: db.prepare(
          'UPDATE policy_modes SET proposed_description = ?, proposed_rules = ?, proposed_by = ?, proposed_at = ? WHERE name = ?',
        ),
        approveMode: db.prepare(
          'UPDATE policy_modes SET description = proposed_description, rules = proposed_rules, approved_proposer = proposed_by, ' +
            'approved_by = ?, approved_at = ?, updated_by = ?, updated_at = ?, ' +
            'proposed_description = NULL, proposed_rules = NULL, proposed_by = NULL, proposed_at = NULL ' +
            'WHERE name = ? AND proposed_rules IS NOT NULL',
        ),
        updateModeActive: db.prepare('UPDATE policy_modes SET active = ?, active_since = ?, active_by = ? WHERE name = ?'),
        deleteMode: db.prepare('DELETE FROM policy_modes WHERE name = ?'),
      };
    } catch (e) {
      throw new StoreError(`cannot open the policy store: ${(e as Error).message}`, { cause: e });
    }
  }

  atomically<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('SQLITE_')) {
        throw new StoreError(`policy store: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  nextVersion(): number {
    return (this.s.maxVersion.get()?.n ?? 0) + 1;
  }

  createVersion(v: NewVersion): PolicyVersion {
    return this.atomically(() => {
      const n = this.nextVersion();
      let hash: string | null = null;
      if (v.model !== null) {
        hash = modelHash(v.model);
        this.s.insertModel.run(hash, v.model);
      }
      this.s.insertVersion.run(n, v.parent, v.name ?? `v${n}`, v.author, Date.now(), v.description, JSON.stringify(v.sources), hash);
      return this.version(n)!;
    });
  }

  version(n: number): PolicyVersion | undefined {
    const r = this.s.selectVersion.get(n);
    return r === undefined ? undefined : toVersion(r);
  }

  versions(page: Page = {}): VersionSummary[] {
    return this.s.selectVersions.all(page.before ?? Number.MAX_SAFE_INTEGER, limitOf(page)).map((r) => {
      const { sources, ...rest } = toVersion(r);
      return { ...rest, files: sources.map((s) => s.file) };
    });
  }

  setState(version: number, state: VersionState): void {
    if (this.s.updateState.run(state, version).changes === 0) throw new NotFoundError(`policy version ${version} does not exist`);
  }

  model(hash: string): string | undefined {
    return this.s.selectModel.get(hash)?.json;
  }

  propose(version: number, actor: string, note: string): Proposal {
    return this.atomically(() => {
      const r = this.s.insertProposal.run(version, actor, Date.now(), note);
      this.setState(version, 'proposed');
      return toProposal(this.s.selectProposal.get(Number(r.lastInsertRowid))!);
    });
  }

  pendingProposal(version: number): Proposal | undefined {
    const r = this.s.selectPending.get(version);
    return r === undefined ? undefined : toProposal(r);
  }

  approvedProposals(): Proposal[] {
    return this.s.selectApproved.all().map(toProposal);
  }

  decideProposal(id: number, state: Exclude<ProposalState, 'open'>, actor: string, reason: string | null = null): Proposal {
    if (this.s.updateProposal.run(state, actor, Date.now(), reason, id).changes === 0) throw new NotFoundError(`proposal ${id} does not exist`);
    return toProposal(this.s.selectProposal.get(id)!);
  }

  proposals(version: number): Proposal[] {
    return this.s.selectProposals.all(version).map(toProposal);
  }

  publish(p: NewPublication): Publication {
    // the embedded server swaps the engine in the step it records the publication: it always knows where
    const journalSeq = p.journalSeq;
    if (journalSeq === null) throw new StoreError('an embedded publication records its journal position (journalSeq); null is for a cluster (docs/scale-out.md)');
    return this.atomically(() => {
      const before = this.live();
      if (before !== undefined && before.version !== p.version) this.setState(before.version, 'retired');
      this.setState(p.version, 'live');
      const r = this.s.insertPublication.run(p.version, p.kind, p.fromVersion, p.actor, p.proposedBy, p.proposalId, Date.now(), journalSeq, p.reason);
      return toPublication(this.s.selectPublication.get(Number(r.lastInsertRowid))!);
    });
  }

  live(): Publication | undefined {
    const r = this.s.selectLive.get();
    return r === undefined ? undefined : toPublication(r);
  }

  publications(page: Page = {}): Publication[] {
    return this.s.selectPublications.all(page.before ?? Number.MAX_SAFE_INTEGER, limitOf(page)).map(toPublication);
  }

  wasPublished(version: number): boolean {
    return (this.s.selectPublished.get(version)?.n ?? 0) > 0;
  }

  proposeMode(name: string, description: string, rules: string, actor: string): IncidentMode {
    return this.atomically(() => {
      const now = Date.now();
      if (this.s.selectMode.get(name) === undefined) this.s.insertMode.run(name, actor, now, actor, now);
      this.s.updateModeProposal.run(description, rules, actor, now, name);
      return this.mode(name)!;
    });
  }

  approveMode(name: string, actor: string): IncidentMode {
    return this.atomically(() => {
      const now = Date.now();
      if (this.s.approveMode.run(actor, now, actor, now, name).changes === 0) {
        if (this.s.selectMode.get(name) === undefined) throw new NotFoundError(`no incident mode named ${JSON.stringify(name)}`);
        throw new ConflictError(`incident mode ${name} has no proposed definition to approve`);
      }
      return this.mode(name)!;
    });
  }

  dropModeProposal(name: string): IncidentMode {
    if (this.s.updateModeProposal.run(null, null, null, null, name).changes === 0) {
      throw new NotFoundError(`no incident mode named ${JSON.stringify(name)}`);
    }
    return this.mode(name)!;
  }

  mode(name: string): IncidentMode | undefined {
    const r = this.s.selectMode.get(name);
    return r === undefined ? undefined : toMode(r);
  }

  modes(): IncidentMode[] {
    return this.s.selectModes.all().map(toMode);
  }

  activeModes(): IncidentMode[] {
    return this.s.selectActive.all().map(toMode);
  }

  setModeActive(name: string, active: boolean, actor: string): IncidentMode {
    const r = active ? this.s.updateModeActive.run(1, Date.now(), actor, name) : this.s.updateModeActive.run(0, null, null, name);
    if (r.changes === 0) throw new NotFoundError(`no incident mode named ${JSON.stringify(name)}`);
    return this.mode(name)!;
  }

  deleteMode(name: string): void {
    if (this.s.deleteMode.run(name).changes === 0) throw new NotFoundError(`no incident mode named ${JSON.stringify(name)}`);
  }
}
