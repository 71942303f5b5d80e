/**
 * Account actions on a cluster (docs/scale-out.md, "Control entries"): any node records an action
 * in PostgreSQL with its audit record — the embedded server's AccountService, checks and answers —
 * and the partition's owner places it in the journal as an `input` entry, where every node's engine
 * applies it. A node reads an account's restrictions from the shared history, since any node may
 * have acted.
 */
import { AccountService, type RestrictionBook } from '../../accounts/service.js';
import { foldAction, NO_RESTRICTIONS, type AccountActionRecord, type Restrictions } from '../../accounts/types.js';
import type { Engine } from '../../engine/engine.js';
import type { PgAccountStore } from '../../store/postgres/accounts.js';
import type { PgAuditLog } from '../../store/postgres/audit.js';
import type { PgJournalProjection } from '../../store/postgres/journal-projection.js';

/** How long an action waits for the owner to place it before answering `effective: false`. */
const PLACE_WAIT_MS = 3000;

/** A cluster's restrictions: folded from PostgreSQL; an action takes effect once the owner placed it. */
export class ClusterRestrictions implements RestrictionBook {
  constructor(
    private readonly store: PgAccountStore,
    /** Tells the partition's owner something was recorded (it also polls). */
    private readonly announce: () => void,
    /** The partition an account's actions are placed in (its own). */
    private readonly partitionOf: (accountId: string) => number = () => 0,
  ) {}

  async folded(accountId: string): Promise<Restrictions> {
    return (await this.store.historyOf(accountId)).reduce((r, a) => foldAction(r, a), NO_RESTRICTIONS);
  }

  async took(accountId: string, _folded: Restrictions, record: AccountActionRecord): Promise<boolean> {
    this.announce();
    const partition = this.partitionOf(accountId);
    const until = Date.now() + PLACE_WAIT_MS;
    for (;;) {
      if ((await this.store.placementOf(record.id, partition)) !== null) return true;
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** A node's partitions as the account service reads them. */
export interface AccountPartitions {
  /** The partition holding an account. */
  of(accountId: string): number;
  /** This node's engine of partition `p` (owned or followed). */
  engine(p: number): Engine;
  /** The last entry seq this node applied in partition `p`. */
  appliedSeq(p: number): number;
}

/**
 * The account service of a cluster node: views read this node's engine of the account's partition
 * (owned or followed) and list payments from the PostgreSQL projection (what it holds: a payment
 * answered a moment ago may not be listed yet); no case service on a node yet, so an appeal is
 * recorded without opening a case.
 */
export function clusterAccountService(store: PgAccountStore, audit: PgAuditLog, projection: PgJournalProjection, parts: AccountPartitions, announce: () => void): AccountService {
  return new AccountService({
    engine: (accountId) => parts.engine(accountId === undefined ? 0 : parts.of(accountId)),
    store,
    audit,
    book: new ClusterRestrictions(store, announce, (id) => parts.of(id)),
    appliedSeq: (accountId) => parts.appliedSeq(parts.of(accountId)),
    // the projection is what the payment lists wait for on a node: they read it as it is
    committedSeq: () => 0,
    index: (accountId, beforeSeq, limit) => projection.paymentsOf(accountId, parts.of(accountId), beforeSeq, limit),
    cases: () => undefined,
  });
}
