/**
 * Limit proposals (accounts/limit-proposals.ts) on the data folder's SQLite file, on the store's own
 * connection (the audit log's too). One per account and slot: a job run again for the same slot
 * stores nothing twice.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { LimitProposal, ProposalState } from '../../accounts/limit-proposals.js';

const DDL = `
CREATE TABLE IF NOT EXISTS limit_proposals (
  id             INTEGER PRIMARY KEY,
  account_id     TEXT    NOT NULL,
  grade          TEXT    NOT NULL,
  current_limit  INTEGER NOT NULL,
  proposed_limit INTEGER NOT NULL,
  slot           INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  state          TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'superseded')),
  decided_by     TEXT,
  decided_at     INTEGER,
  note           TEXT,
  UNIQUE (account_id, slot)
) STRICT;
CREATE INDEX IF NOT EXISTS limit_proposals_state ON limit_proposals (state, id);
`;

const COLUMNS = `id, account_id AS accountId, grade, current_limit AS currentLimit, proposed_limit AS proposedLimit, slot,
  created_at AS createdAt, state, decided_by AS decidedBy, decided_at AS decidedAt, note`;

/** The data folder's limit proposals. */
export class SqliteLimitProposals {
  private readonly s: { supersede: Statement; insert: Statement; list: Statement; one: Statement; decide: Statement };

  constructor(db: Database) {
    db.exec(DDL);
    this.s = {
      supersede: db.prepare("UPDATE limit_proposals SET state = 'superseded', decided_by = 'system:schedules', decided_at = @at WHERE account_id = @accountId AND state = 'pending' AND slot < @slot"),
      insert: db.prepare(
        "INSERT INTO limit_proposals (account_id, grade, current_limit, proposed_limit, slot, created_at, state) VALUES (@accountId, @grade, @currentLimit, @proposedLimit, @slot, @at, 'pending') ON CONFLICT (account_id, slot) DO NOTHING",
      ),
      list: db.prepare(`SELECT ${COLUMNS} FROM limit_proposals WHERE (@state IS NULL OR state = @state) ORDER BY id DESC LIMIT @limit`),
      one: db.prepare(`SELECT ${COLUMNS} FROM limit_proposals WHERE id = @id`),
      decide: db.prepare("UPDATE limit_proposals SET state = @state, decided_by = @by, decided_at = @at, note = @note WHERE id = @id AND state = 'pending'"),
    };
  }

  /** Stores a pending proposal, superseding the account's older pending ones; false when the slot had one. */
  propose(p: { accountId: string; grade: string; currentLimit: number; proposedLimit: number; slot: number; at: number }): boolean {
    this.s.supersede.run({ accountId: p.accountId, slot: p.slot, at: p.at });
    return this.s.insert.run(p).changes > 0;
  }

  /** Proposals newest first, of one state or all. */
  list(state: ProposalState | null, limit: number): LimitProposal[] {
    return this.s.list.all({ state, limit }) as LimitProposal[];
  }

  one(id: number): LimitProposal | undefined {
    return this.s.one.get({ id }) as LimitProposal | undefined;
  }

  /** Marks a pending proposal approved or rejected; false when it was no longer pending. */
  decide(id: number, state: 'approved' | 'rejected', by: string, at: number, note: string): boolean {
    return this.s.decide.run({ id, state, by, at, note }).changes > 0;
  }
}
