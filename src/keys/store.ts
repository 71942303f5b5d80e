/**
 * The keys port: API keys and the roles they carry. Only a key's hash is stored; the server's
 * Authenticator reads through this interface, so any adapter (the SQLite file beside the journal
 * today, PostgreSQL later) serves authentication alike.
 */

/**
 * What an API key may do; `admin` may do everything. `support` is customer service: it reads the
 * customer view of an account and files appeals, nothing else.
 */
export type Role = 'decide' | 'analyst' | 'admin' | 'support';

/** Every role, for argument checking and documentation. */
export const ROLES: readonly Role[] = ['decide', 'analyst', 'admin', 'support'];

/** A stored API key: only the hash of the key is ever kept. */
export interface StoredKey {
  /** sha256 of the key, lowercase hex. */
  readonly hash: string;
  readonly role: Role;
  /** Wall-clock epoch ms. */
  readonly createdAt: number;
  /** The label given at creation (`switch-prod-1`), when one was. */
  readonly name?: string;
  /** When the key was revoked (epoch ms); absent while it works. */
  readonly revokedAt?: number;
  /** Who revoked it (`key_…` or `cli:<user>`). */
  readonly revokedBy?: string;
  /** Why, as given to the revocation. */
  readonly revokeReason?: string;
}

/** Where API keys live (next to the journal, so one data folder holds a whole deployment). */
export interface KeyStore {
  /** Stores a new key hash with its role (and an optional label); a hash already stored is an error. */
  createKey(hash: string, role: Role, name?: string): StoredKey;
  /** The key with this hash, if any and not revoked: a revoked key is never found. */
  findKey(hash: string): StoredKey | undefined;
  /** Every key, revoked ones included, oldest first. */
  listKeys(): StoredKey[];
  /**
   * Revokes the key named by its id (`key_` + the first 12 hex digits of its hash) or by a hash
   * prefix of at least 12 hex digits, and returns it as revoked. NotFoundError when nothing
   * matches; ConflictError when the prefix matches several keys or the key is already revoked.
   */
  revokeKey(idOrPrefix: string, by: string, reason?: string): StoredKey;
  /**
   * How many keys this store object has revoked since it was opened: a cache of keys built from it
   * is stale once the number changes (revocations by other processes are not counted).
   */
  revocations(): number;
}
