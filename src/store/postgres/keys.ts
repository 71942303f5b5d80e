/**
 * The keys port on a cluster's PostgreSQL schema, the twin of the SQLite store's keys part: every
 * node of a cluster authenticates against the same `api_keys` table, so a key created or revoked
 * through one node is seen by all. Only a key's hash is stored (as in SQLite); times are epoch ms.
 */
import { ConflictError, NotFoundError } from '../../errors.js';
import type { KeyStore, NewKeyOptions, Role, StoredKey } from '../../keys/store.js';
import { migrate } from './migrate.js';
import { asStoreError, type PgCluster } from './pool.js';
import { inScope, scopedClient } from './tx.js';
import type { Pool, PoolClient } from 'pg';

interface KeyRow {
  hash: string;
  role: string;
  /** bigint: the driver hands it over as text. */
  created_at: string;
  name: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  rate: number | null;
}

const COLUMNS = 'hash, role, created_at, name, revoked_at, revoked_by, revoke_reason, rate';

/** A key row as the port's StoredKey: absent fields left out, not undefined (as SQLite's). */
function toStoredKey(r: KeyRow): StoredKey {
  return {
    hash: r.hash,
    role: r.role as Role,
    createdAt: Number(r.created_at),
    ...(r.name !== null ? { name: r.name } : {}),
    ...(r.revoked_at !== null ? { revokedAt: Number(r.revoked_at) } : {}),
    ...(r.revoked_by !== null ? { revokedBy: r.revoked_by } : {}),
    ...(r.revoke_reason !== null ? { revokeReason: r.revoke_reason } : {}),
    ...(r.rate !== null ? { rate: r.rate } : {}),
  };
}

/** The hash prefix a key id (`key_…`) or a bare hash prefix names, or null when it is neither (as SQLite's keyHashPrefix). */
function keyHashPrefix(idOrPrefix: string): string | null {
  const hex = idOrPrefix.startsWith('key_') ? idOrPrefix.slice(4) : idOrPrefix;
  return /^[0-9a-f]{12,64}$/.test(hex) ? hex : null;
}

/**
 * KeyStore<'async'> on a cluster's pool: what the SQLite store does with its keys, answered over the
 * network. The schema must be migrated (migrate.ts) before use; `PgKeyStore.open` does it.
 */
export class PgKeyStore implements KeyStore<'async'> {
  private revoked = 0;
  private changed = 0;

  /** A store on a migrated cluster (see `open`). */
  constructor(private readonly pg: PgCluster) {}

  /**
   * The transaction's connection inside `inScope` on this pool (so a key change and its audit record
   * commit together, as SQLite's do in one transaction), the pool outside.
   */
  private get q(): Pool | PoolClient {
    return scopedClient(this.pg.pool) ?? this.pg.pool;
  }

  /**
   * Runs `fn` in one transaction, holding the cluster's `keys` lock, that this store and the pool's
   * audit log join: `fengkong keys` changes a key and records it all or nothing, as on SQLite.
   */
  atomically<T>(fn: () => Promise<T>): Promise<T> {
    return asStoreError(this.pg, 'change keys', () => inScope(this.pg.pool, this.pg.schema, 'keys', fn));
  }

  /** The key store of cluster `pg`, its schema migrated first (a node may be the first to start). */
  static async open(pg: PgCluster): Promise<PgKeyStore> {
    await migrate(pg);
    return new PgKeyStore(pg);
  }

  /** Stores a key hash with its role (and label or options); a hash already stored is a StoreError. */
  createKey(hash: string, role: Role, nameOrOptions?: string | NewKeyOptions): Promise<StoredKey> {
    const { name, rate } = typeof nameOrOptions === 'string' ? { name: nameOrOptions, rate: undefined } : (nameOrOptions ?? {});
    const createdAt = Date.now();
    return asStoreError(this.pg, 'store key', async () => {
      await this.q.query('INSERT INTO api_keys (hash, role, created_at, name, rate) VALUES ($1, $2, $3, $4, $5)', [
        hash, role, createdAt, name ?? null, rate ?? null,
      ]);
      return { hash, role, createdAt, ...(name !== undefined ? { name } : {}), ...(rate !== undefined ? { rate } : {}) };
    });
  }

  /** The key with this hash, if stored and not revoked. */
  findKey(hash: string): Promise<StoredKey | undefined> {
    return asStoreError(this.pg, 'read key', async () => {
      const r = await this.q.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE hash = $1 AND revoked_at IS NULL`, [hash]);
      return r.rows[0] === undefined ? undefined : toStoredKey(r.rows[0]);
    });
  }

  /** Every key, revoked ones too, oldest first. */
  listKeys(): Promise<StoredKey[]> {
    return asStoreError(this.pg, 'list keys', async () => {
      const r = await this.q.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, hash`);
      return r.rows.map(toStoredKey);
    });
  }

  /**
   * The one key a key id or hash prefix names, revoked or not. NotFoundError when none (or the text
   * is neither an id nor a hex prefix of 12+ digits), ConflictError when the prefix is ambiguous.
   */
  resolveKey(idOrPrefix: string): Promise<StoredKey> {
    return asStoreError(this.pg, 'read key', async () => {
      const prefix = keyHashPrefix(idOrPrefix);
      const rows = prefix === null
        ? []
        : (await this.q.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE starts_with(hash, $1) LIMIT 2`, [prefix])).rows;
      if (rows.length === 0) throw new NotFoundError(`no API key ${JSON.stringify(idOrPrefix)}`);
      if (rows.length > 1) throw new ConflictError(`${JSON.stringify(idOrPrefix)} matches more than one key; give more of its hash`);
      return toStoredKey(rows[0]);
    });
  }

  /** Revokes one key (see KeyStore.revokeKey); a revocation racing another node's is a ConflictError. */
  revokeKey(idOrPrefix: string, by: string, reason?: string): Promise<StoredKey> {
    return asStoreError(this.pg, 'revoke key', async () => {
      const key = await this.resolveKey(idOrPrefix);
      if (key.revokedAt !== undefined) throw new ConflictError(`key_${key.hash.slice(0, 12)} was already revoked by ${key.revokedBy ?? 'someone'}`);
      const at = Date.now();
      const r = await this.q.query(
        'UPDATE api_keys SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE hash = $4 AND revoked_at IS NULL',
        [at, by, reason ?? null, key.hash],
      );
      if (r.rowCount !== 1) throw new ConflictError(`key_${key.hash.slice(0, 12)} was already revoked`);
      this.revoked++;
      this.changed++;
      return { ...key, revokedAt: at, revokedBy: by, ...(reason !== undefined ? { revokeReason: reason } : {}) };
    });
  }

  /** Sets or clears a key's rate (see KeyStore.setKeyRate). */
  setKeyRate(idOrPrefix: string, rate: number | null): Promise<StoredKey> {
    return asStoreError(this.pg, 'change key', async () => {
      const key = await this.resolveKey(idOrPrefix);
      if (key.revokedAt !== undefined) throw new ConflictError(`key_${key.hash.slice(0, 12)} is revoked; its rate no longer matters`);
      const r = await this.q.query('UPDATE api_keys SET rate = $1 WHERE hash = $2 AND revoked_at IS NULL', [rate, key.hash]);
      if (r.rowCount !== 1) throw new ConflictError(`key_${key.hash.slice(0, 12)} was revoked meanwhile`);
      this.changed++;
      const { rate: _old, ...rest } = key;
      return rate === null ? rest : { ...rest, rate };
    });
  }

  /** Revocations made through this object since it opened (the Authenticator's cache check). */
  revocations(): number {
    return this.revoked;
  }

  /** Key changes (revocations and rates) made through this object since it opened. */
  changes(): number {
    return this.changed;
  }
}
