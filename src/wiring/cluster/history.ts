/**
 * What `fengkong report --postgres` and `fengkong backtest --postgres` read of a cluster, opened in
 * one step: its history from the PostgreSQL projection (PgJournalSource: pages by keyset, control
 * entries passed over, holes refused), its case queue, and its lists as they are now. Here because
 * it loads `pg` (through src/store/postgres/); the CLI reaches it only by `import()`, so the
 * embedded commands never load the driver.
 *
 * Account and merchant actions come from the journal itself: the owner placed each as an `input`
 * entry, so a backtest applies them at the same positions live did.
 */
import { ConfigError } from '../../errors.js';
import { ListSet } from '../../lists/list-set.js';
import type { JournalSource } from '../../log/journal-reads.js';
import type { CaseQueueReader } from '../../report/cases.js';
import { PgCaseQueueReader } from '../../store/postgres/case-queue-reader.js';
import { PgJournalSource } from '../../store/postgres/journal-source.js';
import { PgJournalProjection } from '../../store/postgres/journal-projection.js';
import type { Engine } from '../../engine/engine.js';
import { parseInputControl } from './policy-control.js';
import { openClusterListStore } from './lists.js';
import { openClusterStores, type ClusterStoreOptions } from './stores.js';

/** A cluster's history and what a report or backtest reads beside it; close() ends the pool. */
export interface ClusterHistory {
  /** `cluster <name> on <host/db>`, for messages. */
  readonly where: string;
  readonly journal: JournalSource;
  /** The projection's last seq when opened (> 0: an empty projection is refused). */
  readonly lastSeq: number;
  readonly cases: CaseQueueReader<'async'>;
  /**
   * The cluster's lists now (PgListStore), as `storeLists` gives a data folder's: expired entries
   * too, since a backtest's engine drops an entry by each payment's time, not by today's.
   */
  lists(): Promise<ListSet>;
  /** The account and merchant actions live decided under, as a backtest applies them (BacktestOptions.actions). */
  actionSteps(): Promise<(engine: Engine) => (seq: number) => number>;
  close(): Promise<void>;
}

/**
 * Opens cluster `opts.cluster` for reading its history; a ConfigError naming the cluster when it
 * has no schema (nothing is created: a mistyped --cluster leaves nothing behind) or its projection
 * holds no entry — "nothing there", never a report of zeros.
 */
export async function openClusterHistory(opts: ClusterStoreOptions, pageSize?: number): Promise<ClusterHistory> {
  const stores = await openClusterStores({ ...opts, poolMax: opts.poolMax ?? 3, mustExist: true });
  try {
    const journal = await PgJournalSource.open(stores.pg, stores.crypt, pageSize === undefined ? {} : { maxPage: pageSize });
    const where = `cluster ${stores.pg.cluster} on ${stores.pg.where}`;
    const lastSeq = await journal.lastSeq();
    if (lastSeq === 0) throw new ConfigError(`${where} has no journal entries in PostgreSQL (is --cluster right, and has a node's projector run?)`);
    return {
      where,
      journal,
      lastSeq,
      cases: new PgCaseQueueReader(stores.pg),
      async lists() {
        const set = new ListSet();
        const store = await openClusterListStore(stores);
        await store.loadInto(set, 0);
        return set;
      },
      async actionSteps() {
        const inputs = (await (await PgJournalProjection.open(stores.pg, stores.crypt)).inputs(0)).map((x) => ({ seq: x.seq, input: parseInputControl(x.event, x.seq).input }));
        return (engine: Engine) => {
          let next = 0;
          // before the entry after `seq`: every input placed at or before it, once, in order
          return (seq: number) => {
            let n = 0;
            while (next < inputs.length && inputs[next].seq <= seq) {
              engine.applyInput(inputs[next++].input);
              n++;
            }
            return n;
          };
        };
      },
      close: () => stores.close(),
    };
  } catch (e) {
    await stores.close().catch(() => undefined);
    throw e;
  }
}
