/**
 * `fengkong keys … --postgres URL`: the KeyBook of a cluster's PostgreSQL schema (PgKeyStore and
 * PgAuditLog, opened by wiring/cluster/stores.ts), each change and its audit record in one
 * transaction under the cluster's `keys` lock, as the SQLite folder's. The scale-out stores are
 * loaded by `import()` here, only when `--postgres` is given: the embedded default never loads `pg`.
 */
import type { KeyBook } from './key-book.js';
import { changeRecord, createRecord } from './key-book.js';

/** Where the cluster is: the flags `--postgres`, `--cluster` (already defaulted) and `--master-key-file`. */
export interface ClusterKeyOptions {
  readonly postgres: string;
  readonly cluster: string;
  readonly masterKeyFile?: string;
}

/** Opens the keys of the cluster `opts` names; an unreachable server is a StoreError naming the URL. */
export async function openClusterKeyBook(opts: ClusterKeyOptions): Promise<KeyBook> {
  const { openClusterStores } = await import('../wiring/cluster/stores.js');
  const stores = await openClusterStores({ ...opts, poolMax: 2 });
  const { keys, audit } = stores;
  return {
    where: `cluster ${stores.pg.cluster} on ${stores.pg.where}`,
    readers: "a server using this cluster's keys",
    rotationNote: 'nodes of this cluster seal with it within a few seconds; older data keys still open what they sealed',
    create: (hash, role, options, actor) =>
      keys.atomically(async () => {
        const stored = await keys.createKey(hash, role, options);
        await audit.append(createRecord(actor, stored));
        return stored;
      }),
    list: () => keys.listKeys(),
    rate: (id, rate, actor) =>
      keys.atomically(async () => {
        const before = await keys.resolveKey(id);
        const after = await keys.setKeyRate(before.hash, rate);
        await audit.append(changeRecord(actor, 'key.rate', before, after));
        return after;
      }),
    revoke: (id, actor, reason) =>
      keys.atomically(async () => {
        const before = await keys.resolveKey(id);
        const after = await keys.revokeKey(before.hash, actor, reason);
        await audit.append(changeRecord(actor, 'key.revoke', before, after));
        return after;
      }),
    rotateData: () => stores.crypt.rotate(),
    close: () => stores.close(),
  };
}
