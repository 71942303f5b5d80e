/**
 * Block, allow and watch lists on a cluster node: the embedded server's list routes over the
 * cluster's PostgreSQL list store (each change and its audit record in one transaction), the node's
 * lists — which its engines read — reloaded when any node commits a change: at once on that node's
 * announcement over NATS, and by a poll every half second should an announcement be lost. A list
 * change thus reaches every node's next decision within the poll at worst (docs/scale-out.md).
 */
import type { ListSet } from '../../lists/list-set.js';
import type { CompiledPolicy } from '../../rules/policy-types.js';
import { listRoutes, LiveLists } from '../../server/routes/lists.js';
import type { Route } from '../../server/routes.js';
import { announceChange, onChangeAnnounced } from '../../store/nats/change-notice.js';
import type { NatsCluster } from '../../store/nats/connect.js';
import { PgListStore } from '../../store/postgres/lists.js';
import type { ClusterStores } from './stores.js';

/** How often a node looks for list changes it was not told about. */
const POLL_MS = 500;

/** The list routes of a node, and how to stop keeping its lists in step. */
export interface ClusterLists {
  readonly routes: Route[];
  close(): Promise<void>;
}

/** The cluster's list store, each change audited in its transaction (`fengkong lists --postgres`). */
export function openClusterListStore(stores: ClusterStores, onChange?: (version: number) => void): Promise<PgListStore> {
  return PgListStore.open(stores.pg, { crypt: stores.crypt, audit: stores.audit, ...(onChange !== undefined ? { onChange: (_c, version) => onChange(version) } : {}) });
}

/** Loads the cluster's lists into `lists` and keeps them in step with every node's changes. */
export async function startClusterLists(stores: ClusterStores, nats: NatsCluster, lists: ListSet, policy: () => CompiledPolicy): Promise<ClusterLists> {
  let live: LiveLists | null = null;
  const store = await openClusterListStore(stores, (version) => live?.noteCommit(version));
  const seen = await store.version();
  await store.loadInto(lists);
  const l = new LiveLists(policy, lists, store, seen, POLL_MS);
  live = l;
  const subject = nats.names.listsSubject;
  const stop = onChangeAnnounced(nats, subject, () => {
    l.sync().catch((e: unknown) => process.stderr.write(`fengkong serve: cannot reload lists: ${(e as Error).message}\n`));
  });
  return {
    routes: listRoutes(l, policy, () => announceChange(nats, subject)),
    async close() {
      stop();
      await l.close();
    },
  };
}
