/**
 * The policy store on a cluster's PostgreSQL schema, the twin of SQLite's policies.ts: versions with
 * their files, models once per content hash, four-eyes proposals, the publication history and the
 * incident modes, shared by every node. `atomically` opens one transaction that every adapter of the
 * pool joins for the call chain inside it (tx.ts, inScope) — the audit log's appends included — and
 * holds the cluster's `policy` advisory lock, so changes from any node run one after the other, as
 * SQLite's IMMEDIATE transactions do. Proposal notes and reasons are sealed (PgCrypt).
 */
import type { Pool, PoolClient } from 'pg';
import { ConflictError, FengkongError, NotFoundError, StoreError } from '../../errors.js';
import {
  modelHash, POLICY_MAX_PAGE, type IncidentMode, type NewPublication, type NewVersion, type Page, type PolicyStore, type PolicyVersion,
  type Proposal, type ProposalState, type Publication, type VersionState, type VersionSummary,
} from '../../policy/versions.js';
import { PgCrypt } from './crypt.js';
import { migrate } from './migrate.js';
import {
  MODE_COLUMNS, PROPOSAL_COLUMNS, PUBLICATION_COLUMNS, toMode, toProposal, toPublication, toVersion, VERSION_COLUMNS,
  type ModeRow, type ProposalRow, type PublicationRow, type VersionRow,
} from './policy-rows.js';
import type { PgCluster } from './pool.js';
import { inScope, scopedClient } from './tx.js';

function limitOf(p: Page): number {
  return Math.min(Math.max(1, Math.trunc(p.limit ?? 100)), POLICY_MAX_PAGE);
}

function noMode(name: string): NotFoundError {
  return new NotFoundError(`no incident mode named ${JSON.stringify(name)}`);
}

/** PolicyStore<'async'> on a cluster's pool; see the module comment. */
export class PgPolicyStore implements PolicyStore<'async'> {
  /** A store on a migrated cluster with its Crypt (see `open`). */
  constructor(private readonly pg: PgCluster, private readonly crypt: PgCrypt) {}

  /** The policy store of cluster `pg`: schema migrated, the cluster's data keys opened (or the Crypt given used). */
  static async open(pg: PgCluster, opts: { masterKeyFile?: string; crypt?: PgCrypt } = {}): Promise<PgPolicyStore> {
    await migrate(pg);
    return new PgPolicyStore(pg, opts.crypt ?? (await PgCrypt.open(pg, { masterKeyFile: opts.masterKeyFile })));
  }

  /** The transaction's connection inside `atomically`, the pool outside. */
  private get q(): Pool | PoolClient {
    return scopedClient(this.pg.pool) ?? this.pg.pool;
  }

  private async rows<R extends object>(sql: string, args: unknown[] = []): Promise<R[]> {
    try {
      return (await this.q.query<R>(sql, args)).rows;
    } catch (e) {
      throw new StoreError(`policy store (schema ${this.pg.schema} on ${this.pg.where}): ${(e as Error).message}`, { cause: e });
    }
  }

  private async changed(sql: string, args: unknown[]): Promise<number> {
    try {
      return (await this.q.query(sql, args)).rowCount ?? 0;
    } catch (e) {
      throw new StoreError(`policy store (schema ${this.pg.schema} on ${this.pg.where}): ${(e as Error).message}`, { cause: e });
    }
  }

  atomically<T>(fn: () => Promise<T>): Promise<T> {
    return inScope(this.pg.pool, this.pg.schema, 'policy', fn).catch((e: unknown) => {
      if (e instanceof FengkongError || !(e instanceof Error) || !('severity' in e)) throw e;
      throw new StoreError(`policy store (schema ${this.pg.schema} on ${this.pg.where}): ${e.message}`, { cause: e });
    });
  }

  async nextVersion(): Promise<number> {
    const [r] = await this.rows<{ n: number | null }>('SELECT max(version) AS n FROM policy_versions');
    return (r?.n ?? 0) + 1;
  }

  createVersion(v: NewVersion): Promise<PolicyVersion> {
    return this.atomically(async () => {
      const n = await this.nextVersion();
      let hash: string | null = null;
      if (v.model !== null) {
        hash = modelHash(v.model);
        await this.changed('INSERT INTO policy_models (hash, json) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING', [hash, v.model]);
      }
      await this.changed(
        `INSERT INTO policy_versions (version, parent, name, author, created_at, description, sources, model_hash, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft')`,
        [n, v.parent, v.name ?? `v${n}`, v.author, Date.now(), v.description, JSON.stringify(v.sources), hash],
      );
      return (await this.version(n)) as PolicyVersion;
    });
  }

  async version(n: number): Promise<PolicyVersion | undefined> {
    const [r] = await this.rows<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM policy_versions WHERE version = $1`, [n]);
    return r === undefined ? undefined : toVersion(r);
  }

  async versions(page: Page = {}): Promise<VersionSummary[]> {
    const rows = await this.rows<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM policy_versions WHERE version < $1 ORDER BY version DESC LIMIT $2`, [
      page.before ?? 2_147_483_647, limitOf(page),
    ]);
    return rows.map((r) => {
      const { sources, ...rest } = toVersion(r);
      return { ...rest, files: sources.map((s) => s.file) };
    });
  }

  async setState(version: number, state: VersionState): Promise<void> {
    if ((await this.changed('UPDATE policy_versions SET state = $1 WHERE version = $2', [state, version])) === 0) {
      throw new NotFoundError(`policy version ${version} does not exist`);
    }
  }

  async model(hash: string): Promise<string | undefined> {
    return (await this.rows<{ json: string }>('SELECT json FROM policy_models WHERE hash = $1', [hash]))[0]?.json;
  }

  propose(version: number, actor: string, note: string): Promise<Proposal> {
    return this.atomically(async () => {
      const [r] = await this.rows<ProposalRow>(
        `INSERT INTO policy_proposals (version, proposed_by, proposed_at, note, state) VALUES ($1, $2, $3, $4, 'open') RETURNING ${PROPOSAL_COLUMNS}`,
        [version, actor, Date.now(), this.crypt.sealText(note)],
      );
      await this.setState(version, 'proposed');
      return toProposal(r, this.crypt);
    });
  }

  private async proposalsWhere(where: string, args: unknown[]): Promise<Proposal[]> {
    const rows = await this.rows<ProposalRow>(`SELECT ${PROPOSAL_COLUMNS} FROM policy_proposals WHERE ${where}`, args);
    return Promise.all(rows.map((r) => toProposal(r, this.crypt)));
  }

  async pendingProposal(version: number): Promise<Proposal | undefined> {
    return (await this.proposalsWhere("version = $1 AND state IN ('open', 'approved') ORDER BY id DESC LIMIT 1", [version]))[0];
  }

  approvedProposals(): Promise<Proposal[]> {
    return this.proposalsWhere("state = 'approved' ORDER BY id", []);
  }

  async decideProposal(id: number, state: Exclude<ProposalState, 'open'>, actor: string, reason: string | null = null): Promise<Proposal> {
    const [r] = await this.rows<ProposalRow>(
      `UPDATE policy_proposals SET state = $1, decided_by = $2, decided_at = $3, reason = $4 WHERE id = $5 RETURNING ${PROPOSAL_COLUMNS}`,
      [state, actor, Date.now(), this.crypt.sealOpt(reason), id],
    );
    if (r === undefined) throw new NotFoundError(`proposal ${id} does not exist`);
    return toProposal(r, this.crypt);
  }

  proposals(version: number): Promise<Proposal[]> {
    return this.proposalsWhere('version = $1 ORDER BY id DESC', [version]);
  }

  publish(p: NewPublication): Promise<Publication> {
    return this.atomically(async () => {
      const before = await this.live();
      if (before !== undefined && before.version !== p.version) await this.setState(before.version, 'retired');
      await this.setState(p.version, 'live');
      const [r] = await this.rows<PublicationRow>(
        `INSERT INTO policy_publications (version, kind, from_version, actor, proposed_by, proposal_id, at, journal_seq, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${PUBLICATION_COLUMNS}`,
        [p.version, p.kind, p.fromVersion, p.actor, p.proposedBy, p.proposalId, Date.now(), p.journalSeq, this.crypt.sealOpt(p.reason)],
      );
      return toPublication(r, this.crypt);
    });
  }

  /**
   * Records where publication `seq` took effect in the journal, once (a cluster's owner places it
   * after recording: docs/scale-out.md). False when it was placed already — by an owner before a
   * takeover — so the first position stands.
   */
  async placePublication(seq: number, journalSeq: number): Promise<boolean> {
    return (await this.changed(`UPDATE policy_publications SET journal_seq = $2 WHERE seq = $1 AND journal_seq IS NULL`, [seq, journalSeq])) === 1;
  }

  async live(): Promise<Publication | undefined> {
    return (await this.publications({ limit: 1 }))[0];
  }

  async publications(page: Page = {}): Promise<Publication[]> {
    const rows = await this.rows<PublicationRow>(`SELECT ${PUBLICATION_COLUMNS} FROM policy_publications WHERE seq < $1 ORDER BY seq DESC LIMIT $2`, [
      page.before ?? 2_147_483_647, limitOf(page),
    ]);
    return Promise.all(rows.map((r) => toPublication(r, this.crypt)));
  }

  async wasPublished(version: number): Promise<boolean> {
    return (await this.rows('SELECT 1 FROM policy_publications WHERE version = $1 LIMIT 1', [version])).length > 0;
  }

  proposeMode(name: string, description: string, rules: string, actor: string): Promise<IncidentMode> {
    return this.atomically(async () => {
      const now = Date.now();
      await this.changed(
        `INSERT INTO policy_modes (name, description, rules, created_by, created_at, updated_by, updated_at, active)
         VALUES ($1, '', '', $2, $3, $2, $3, false) ON CONFLICT (name) DO NOTHING`,
        [name, actor, now],
      );
      await this.changed('UPDATE policy_modes SET proposed_description = $1, proposed_rules = $2, proposed_by = $3, proposed_at = $4 WHERE name = $5', [
        description, rules, actor, now, name,
      ]);
      return (await this.mode(name)) as IncidentMode;
    });
  }

  approveMode(name: string, actor: string): Promise<IncidentMode> {
    return this.atomically(async () => {
      const now = Date.now();
      const n = await this.changed(
        `UPDATE policy_modes SET description = proposed_description, rules = proposed_rules, approved_proposer = proposed_by,
           approved_by = $1, approved_at = $2, updated_by = $1, updated_at = $2,
           proposed_description = NULL, proposed_rules = NULL, proposed_by = NULL, proposed_at = NULL
         WHERE name = $3 AND proposed_rules IS NOT NULL`,
        [actor, now, name],
      );
      if (n === 0) {
        if ((await this.mode(name)) === undefined) throw noMode(name);
        throw new ConflictError(`incident mode ${name} has no proposed definition to approve`);
      }
      return (await this.mode(name)) as IncidentMode;
    });
  }

  async dropModeProposal(name: string): Promise<IncidentMode> {
    const [r] = await this.rows<ModeRow>(
      `UPDATE policy_modes SET proposed_description = NULL, proposed_rules = NULL, proposed_by = NULL, proposed_at = NULL WHERE name = $1 RETURNING ${MODE_COLUMNS}`,
      [name],
    );
    if (r === undefined) throw noMode(name);
    return toMode(r);
  }

  async mode(name: string): Promise<IncidentMode | undefined> {
    const [r] = await this.rows<ModeRow>(`SELECT ${MODE_COLUMNS} FROM policy_modes WHERE name = $1`, [name]);
    return r === undefined ? undefined : toMode(r);
  }

  async modes(): Promise<IncidentMode[]> {
    return (await this.rows<ModeRow>(`SELECT ${MODE_COLUMNS} FROM policy_modes ORDER BY name`)).map(toMode);
  }

  async activeModes(): Promise<IncidentMode[]> {
    return (await this.rows<ModeRow>(`SELECT ${MODE_COLUMNS} FROM policy_modes WHERE active ORDER BY active_since, name`)).map(toMode);
  }

  async setModeActive(name: string, active: boolean, actor: string): Promise<IncidentMode> {
    const [r] = await this.rows<ModeRow>(
      `UPDATE policy_modes SET active = $1, active_since = $2, active_by = $3 WHERE name = $4 RETURNING ${MODE_COLUMNS}`,
      active ? [true, Date.now(), actor, name] : [false, null, null, name],
    );
    if (r === undefined) throw noMode(name);
    return toMode(r);
  }

  async deleteMode(name: string): Promise<void> {
    if ((await this.changed('DELETE FROM policy_modes WHERE name = $1', [name])) === 0) throw noMode(name);
  }
}
