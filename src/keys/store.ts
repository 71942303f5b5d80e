/**
 * The keys port: API keys and the roles they carry. Only a key's hash is stored; the server's
 * Authenticator reads through this interface, so any adapter (the SQLite file beside the journal
 * today, PostgreSQL later) serves authentication alike.
 */
import type { Result, ResultKind } from '../io/result-kind.js';

/**
 * What an API key may do, one role per kind of client so a leaked key opens only what that client
 * needs: `decide` is the payment switch (payments and the acquiring side's reference data),
 * `ingest` the credit system (accounts, limits, account events, labels), `analyst` the risk team,
 * `support` customer service (the customer view and appeals, nothing else), `metrics` a monitoring
 * scraper (`/metrics` only), `admin` everything.
 */
export type Role = 'decide' | 'ingest' | 'analyst' | 'admin' | 'support' | 'metrics';

/** Every role, for argument checking and documentation. */
export const ROLES: readonly Role[] = ['decide', 'ingest', 'analyst', 'admin', 'support', 'metrics'];

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
  /** Requests per second the key may make (a token bucket on the server); absent: unlimited. */
  readonly rate?: number;
}

/** What a key may be created with beyond its role. */
export interface NewKeyOptions {
  /** The label (`switch-prod-1`). */
  readonly name?: string;
  /** Requests per second; absent: unlimited. */
  readonly rate?: number;
}

/**
 * Where API keys live (next to the journal, so one data folder holds a whole deployment). Generic over
 * its adapter's kind (see io/result-kind.ts): the SQLite file answers at once (`KeyStore<'sync'>`), a
 * database across the network later (`KeyStore<'async'>`); code written against `KeyStore` awaits.
 */
export interface KeyStore<K extends ResultKind = ResultKind> {
  /**
   * Stores a new key hash with its role (and an optional label, or options with a label and a rate);
   * a hash already stored is an error.
   */
  createKey(hash: string, role: Role, nameOrOptions?: string | NewKeyOptions): Result<K, StoredKey>;
  /** The key with this hash, if any and not revoked: a revoked key is never found. */
  findKey(hash: string): Result<K, StoredKey | undefined>;
  /** Every key, revoked ones included, oldest first. */
  listKeys(): Result<K, StoredKey[]>;
  /**
   * Revokes the key named by its id (`key_` + the first 12 hex digits of its hash) or by a hash
   * prefix of at least 12 hex digits, and returns it as revoked. NotFoundError when nothing
   * matches; ConflictError when the prefix matches several keys or the key is already revoked.
   */
  revokeKey(idOrPrefix: string, by: string, reason?: string): Result<K, StoredKey>;
  /**
   * Sets the rate limit (requests per second, null: unlimited) of the key named by id or hash prefix
   * (as revokeKey) and returns it changed. NotFoundError when nothing matches; ConflictError when the
   * prefix is ambiguous or the key is revoked. A server sees the change through `changes()`.
   */
  setKeyRate(idOrPrefix: string, rate: number | null): Result<K, StoredKey>;
  /**
   * How many keys this store object has revoked since it was opened: a cache of keys built from it
   * is stale once the number changes (revocations by other processes are not counted). A number for
   * every kind of store: it counts this object's own calls, so no adapter needs I/O to answer it.
   */
  revocations(): number;
  /**
   * How many key changes (revocations and rate changes) this store object has made since it was
   * opened; a cache of keys built from it is stale once the number changes. A number for every kind
   * of store, so the Authenticator checks a cached key without a promise whatever the store.
   */
  changes(): number;
}

/** The largest rate a key may carry (requests per second); beyond it a limit means nothing. */
export const MAX_KEY_RATE = 1_000_000;

/** A rate limit as given: a positive number of requests per second up to MAX_KEY_RATE; null when it is not. */
export function checkKeyRate(rate: unknown): number | null {
  return typeof rate === 'number' && Number.isFinite(rate) && rate > 0 && rate <= MAX_KEY_RATE ? rate : null;
}
