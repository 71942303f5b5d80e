/**
 * How a cluster node finds a decision answered earlier (idempotent retries, GET /v1/decisions/{id}):
 * its window of recent decisions first — an answer at once, no promise on the decision path — and
 * only for an id older than the window, the PostgreSQL projection. The projection is trusted only
 * once it holds every entry the window has forgotten; otherwise the lookup fails (the request is
 * answered 503, retry), because answering "never decided" there could decide a payment twice.
 */
import { StoreError } from '../../errors.js';
import type { StoredDecision } from '../../log/journal.js';
import type { DecisionLookup } from '../../server/service.js';
import type { PgJournalProjection } from '../../store/postgres/journal-projection.js';
import type { RecentDecisions } from './recent-decisions.js';

/** The DecisionLookup of one partition on a cluster node. */
export function clusterDecisionLookup(partition: number, recent: RecentDecisions, projection: PgJournalProjection): DecisionLookup {
  /** Every entry up to this seq is known to be projected (the projection only ever grows). */
  let verified = 0;
  return {
    decision(txId: string): StoredDecision | undefined | Promise<StoredDecision | undefined> {
      const hit = recent.get(txId);
      if (hit !== undefined) return hit;
      const forgotten = recent.evictedThrough;
      // the window still holds the whole history: an id not in it was never decided
      if (forgotten === 0) return undefined;
      return (async () => {
        if (verified < forgotten) {
          // entries below the highest projected one may still be on their way (two projectors): count them
          const have = await projection.countBetween(partition, verified, forgotten);
          if (have < forgotten - verified) {
            throw new StoreError(
              `the PostgreSQL projection of partition ${partition} misses ${forgotten - verified - have} of entries ${verified + 1}-${forgotten}, which this node's window of recent decisions no longer holds: ` +
                'is a projector running? (every fengkong serve node of the cluster runs one)',
            );
          }
          verified = Math.max(verified, forgotten);
        }
        return projection.decision(txId);
      })();
    },
  };
}
