/**
 * The key routes on a cluster node (`GET /v1/keys`, `PATCH` a rate, `DELETE` to revoke): the
 * cluster's PgKeyStore, each change and its audit record in one transaction under the cluster's
 * `keys` lock, as `fengkong keys --postgres` does. The node that changed a key applies it on the
 * key's next request; the other nodes within their key cache's 5 s, as servers sharing a data folder.
 */
import type { StoredKey } from '../../keys/store.js';
import { keyIdOf, keyView } from '../../server/auth.js';
import type { KeyChanges } from '../../server/routes/keys.js';
import type { ClusterStores } from './stores.js';

/** The KeyChanges of a cluster's stores. */
export function clusterKeyChanges(stores: ClusterStores): KeyChanges {
  const { keys, audit } = stores;
  const record = (actor: string, action: 'key.rate' | 'key.revoke', before: StoredKey, after: StoredKey) =>
    audit.append({ actor, action, target: `keys/${keyIdOf(before.hash)}`, before: keyView(before), after: keyView(after) });
  return {
    list: () => keys.listKeys(),
    resolve: (id) => keys.resolveKey(id),
    setRate: (target, rate, actor) =>
      keys.atomically(async () => {
        const after = await keys.setKeyRate(target.hash, rate);
        await record(actor, 'key.rate', target, after);
        return after;
      }),
    revoke: (target, actor, reason) =>
      keys.atomically(async () => {
        const after = await keys.revokeKey(target.hash, actor, reason);
        await record(actor, 'key.revoke', target, after);
        return after;
      }),
  };
}
