/**
 * API keys, roles and permissions. A key is `fk_` + 32 random bytes (base64url); only its sha256 is
 * stored, so a copy of the data folder does not hand out working keys. A route needs a permission
 * named for what it allows (post payments, ingest credit events, read, work cases, act, backtest,
 * scrape metrics, …) and each role holds the permissions its kind of client needs, so a key leaked
 * from one client (the switch, the credit system, a monitoring scraper) opens only that client's routes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EventType } from '../contract/events.js';
import { ROLES, type KeyStore, type Role, type StoredKey } from '../keys/store.js';
import { ApiError } from './errors.js';
import { BadKeyThrottle, KeyBucket, type BadKeyLimits } from './rate-limit.js';

/** The prefix of every key, so a leaked one is easy to recognise in logs and scanners. */
export const KEY_PREFIX = 'fk_';

/**
 * What a route needs, named for what it allows; each maps to the roles allowed to do it (ALLOWED).
 * `decide`: post payments for a decision and the acquiring side's reference data (merchants,
 * terminals, acquirers) — the payment switch. `ingest`: post the credit system's events (accounts and
 * their limits, account events, labels) — events that raise a limit or teach the engine what fraud
 * is, so not the switch's. `read`: read decisions, cases, audit, policies, reports (nothing it opens
 * changes state). `work_cases`: open, assign, annotate and resolve cases (resolving emits the labels
 * the engine learns from). `hold`: hold a merchant's settlement (protective: payments still go
 * through, reviewed). `act`: account actions, terminal suspensions and releases. `backtest`: run a
 * policy against the journal (CPU on the server). `metrics`: scrape `/metrics`. `docs`: the OpenAPI
 * document and the pre-payment merchant check. `support`: the customer view of an account (what the
 * customer is told, never scores or rules). `appeal`: file an appeal for a customer — customer
 * service and admins, not analysts: they decide appeals, and should not judge their own filing.
 * `admin`: keys, lists, modes, policies. `self`: what every key may learn about itself
 * (`GET /v1/whoami`), so a client such as the analyst console can find out what its key may do.
 */
export type Permission =
  | 'decide'
  | 'ingest'
  | 'read'
  | 'docs'
  | 'work_cases'
  | 'hold'
  | 'act'
  | 'backtest'
  | 'metrics'
  | 'admin'
  | 'support'
  | 'appeal'
  | 'self';

const ALLOWED: Record<Permission, readonly Role[]> = {
  decide: ['decide', 'admin'],
  ingest: ['ingest', 'admin'],
  read: ['analyst', 'admin'],
  docs: ['decide', 'ingest', 'analyst', 'admin'],
  work_cases: ['analyst', 'admin'],
  hold: ['analyst', 'admin'],
  act: ['admin'],
  backtest: ['analyst', 'admin'],
  metrics: ['metrics', 'analyst', 'admin'],
  admin: ['admin'],
  support: ['support', 'analyst', 'admin'],
  appeal: ['support', 'admin'],
  self: ROLES,
};

/** Every permission, in the order of the table above (the order `permissionsOf` lists them in), for schemas and docs. */
export const PERMISSIONS: readonly Permission[] = Object.keys(ALLOWED) as Permission[];

/**
 * Who may post which event type to `POST /v1/events`. The payment switch (`decide`) knows the
 * acquiring side: merchants, terminals and acquirers come with its traffic. The credit system
 * (`ingest`) owns accounts: opening and limits (`account`), what happens to an account outside a
 * payment (`account_event`, `limit_changed` and repayments included) and what was later learnt
 * (`label`, chargebacks and confirmed fraud). Transactions go to `POST /v1/decisions` (`decide`).
 */
export const EVENT_PERMISSION: Readonly<Record<Exclude<EventType, 'transaction'>, Permission>> = {
  merchant: 'decide',
  terminal: 'decide',
  acquirer: 'decide',
  account: 'ingest',
  account_event: 'ingest',
  label: 'ingest',
};

/** True when `role` holds `p`: the one question every check (routes, handlers, event types) asks. */
export function allows(role: Role, p: Permission): boolean {
  return ALLOWED[p].includes(role);
}

/** The 403 for a caller whose role lacks `p`; `what` says what was refused (default: "do this"). */
export function forbidden(role: Role, p: Permission, what = 'do this'): ApiError {
  return new ApiError('forbidden', `role "${role}" may not ${what}: it needs the permission "${p}" (held by ${ALLOWED[p].join(', ')})`);
}

/**
 * Who is calling: the key's role and a stable, non-secret id for it (the first 12 hex digits of
 * its hash), so audit entries and four-eyes checks can name a key without ever storing the key.
 */
export interface Principal {
  readonly role: Role;
  readonly keyId: string;
  /** The key's label (`switch-prod-1`) when it was given one, so a client can say which key it uses. */
  readonly name?: string;
}

/** The id the audit log and approvals use for the key with this hash. */
export function keyIdOf(hash: string): string {
  return `key_${hash.slice(0, 12)}`;
}

/** A key as lists and the audit log show it: its id, never its hash. Times are epoch ms; null when absent. */
export interface KeyView {
  readonly keyId: string;
  readonly name: string | null;
  readonly role: Role;
  readonly createdAt: number;
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
  /** Requests per second the key may make; null: unlimited. */
  readonly rate: number | null;
}

/** The public view of a stored key (see KeyView). */
export function keyView(k: StoredKey): KeyView {
  return {
    keyId: keyIdOf(k.hash),
    name: k.name ?? null,
    role: k.role,
    createdAt: k.createdAt,
    revokedAt: k.revokedAt ?? null,
    revokedBy: k.revokedBy ?? null,
    revokeReason: k.revokeReason ?? null,
    rate: k.rate ?? null,
  };
}

/** A key's label: 1–64 letters, digits, `.`, `_`, `-`, `:`, `@` (e.g. `switch-prod-1`); null when it is not. */
export function checkKeyName(name: string): string | null {
  return /^[A-Za-z0-9._:@-]{1,64}$/.test(name) ? name : null;
}

/** A revocation reason: trimmed, 1–500 characters; null when empty or too long. */
export function checkRevokeReason(reason: unknown): string | null {
  if (typeof reason !== 'string') return null;
  const r = reason.trim();
  return r.length > 0 && r.length <= 500 ? r : null;
}

/** The roles that hold `p` (for the OpenAPI document and error messages). */
export function rolesFor(p: Permission): readonly Role[] {
  return ALLOWED[p];
}

/**
 * The permissions `role` holds, read from the same table the checks use, so a client told what
 * its key may do (`GET /v1/whoami`) is told exactly what the server will then allow.
 */
export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => ALLOWED[p].includes(role));
}

/** A new random key (256 bits): shown once to the operator, never stored. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** sha256 of a key, lowercase hex: what the store keeps and looks up. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer realm="fengkong"' };

interface CachedKey {
  readonly principal: Principal;
  readonly until: number;
  /** The key's token bucket; null when the key has no rate limit. */
  readonly bucket: KeyBucket | null;
}

/**
 * Checks `Authorization: Bearer <key>` against the key store, then the key's rate limit, then the
 * permission. A key found is remembered for a few seconds (keyed by the presented key, which arrives
 * in every request anyway), so the hot path neither hashes nor queries; unknown keys always go to the
 * store, so a key created while the server runs works at once — unless their address has presented
 * too many unknown keys lately (BadKeyThrottle: 429 without a hash or a query; a key found valid
 * before is still looked up, so good clients behind the same address keep working). A change through the
 * same store (the server's `DELETE` or `PATCH /v1/keys/…`) empties the cache, so a revoked key is
 * refused and a new rate applies on the very next request; one made by another process
 * (`fengkong keys revoke|rate` beside the server) takes effect within `cacheMs` (5 s).
 */
export class Authenticator {
  private readonly cache = new Map<string, CachedKey>();
  /** One bucket per key id with a rate, kept across cache refreshes (bounded by the keys stored). */
  private readonly buckets = new Map<string, KeyBucket>();
  private readonly badKeys: BadKeyThrottle;
  /** Keys (as presented) found valid at least once: never throttled as unknown (bounded like the cache). */
  private readonly known = new Set<string>();
  private changes: number;

  /**
   * `keys` of either kind: a store that answers at once (SQLite) keeps every check synchronous; one
   * that answers later (PostgreSQL) costs an await only when the cache cannot answer — a cached key
   * is checked without a promise on either.
   */
  constructor(
    private readonly keys: KeyStore,
    private readonly cacheMs = 5_000,
    badKeyLimits?: BadKeyLimits,
  ) {
    this.changes = keys.changes();
    this.badKeys = new BadKeyThrottle(badKeyLimits);
  }

  /**
   * The caller when its key is valid, within its rate and holds `need` (null: any valid key, for a
   * route that checks the permission itself); otherwise the 401/403/429 to answer. `address` is the
   * remote address, for slowing down one that keeps sending unknown keys. A value, never a promise,
   * when the key store answers at once (the decision path stays free of awaits); a promise only when
   * a store that answers later must be asked.
   */
  check(header: string | undefined, need: Permission | null, address = ''): Principal | ApiError | Promise<Principal | ApiError> {
    const key = bearer(header);
    if (key === null) {
      return new ApiError('unauthorized', 'missing or malformed Authorization header; expected "Bearer <key>"', {
        headers: UNAUTHORIZED_HEADERS,
      });
    }
    const now = Date.now();
    this.sawChanges(this.keys.changes());
    return this.checkKey(key, need, address, now);
  }

  /** Empties the cache once the store has changed a key since the last check. */
  private sawChanges(changes: number): void {
    if (changes !== this.changes) {
      // rare: clearing everything is simpler than finding the changed key's entries, and as safe
      this.cache.clear();
      this.changes = changes;
    }
  }

  /** check() once the cache is current: from the cache when it can, else from the store. */
  private checkKey(key: string, need: Permission | null, address: string, now: number): Principal | ApiError | Promise<Principal | ApiError> {
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.until > now) return this.admit(hit, need, now);
    // an address refused for unknown keys still gets keys that were valid once looked up
    const wait = this.known.has(key) ? 0 : this.badKeys.blocked(address, now);
    if (wait > 0) {
      return new ApiError('too_many_bad_keys', `too many unknown API keys from this address; retry in ${wait} s`, {
        headers: { 'retry-after': String(wait) },
      });
    }
    const stored = this.keys.findKey(hashKey(key));
    if (stored instanceof Promise) return stored.then((s) => this.loaded(key, s, need, address, now));
    return this.loaded(key, stored, need, address, now);
  }

  /** check() once the store has answered for a key the cache did not hold. */
  private loaded(key: string, stored: StoredKey | undefined, need: Permission | null, address: string, now: number): Principal | ApiError {
    const loaded = this.load(key, stored, now);
    if (loaded === undefined) {
      this.badKeys.fail(address, now);
      return new ApiError('unauthorized', 'unknown or revoked API key', { headers: UNAUTHORIZED_HEADERS });
    }
    return this.admit(loaded, need, now);
  }

  /** The key's rate limit, then the permission. */
  private admit(hit: CachedKey, need: Permission | null, now: number): Principal | ApiError {
    const principal = hit.principal;
    if (hit.bucket !== null) {
      const wait = hit.bucket.take(now);
      if (wait > 0) {
        return new ApiError('rate_limited', `${principal.keyId} is over its limit of ${hit.bucket.perSecond} requests per second; retry in ${wait} s`, {
          headers: { 'retry-after': String(wait) },
        });
      }
    }
    if (need !== null && !ALLOWED[need].includes(principal.role)) return forbidden(principal.role, need);
    return principal;
  }

  /** Requests refused for being over a key's rate, by key id (for /metrics). */
  rateLimited(): Array<[string, number]> {
    return [...this.buckets.values()].map((b) => [b.keyId, b.refused]);
  }

  /** Requests refused because their address sent too many unknown keys, and the addresses tracked now. */
  badKeyStats(): { refused: number; addresses: number } {
    return { refused: this.badKeys.refused, addresses: this.badKeys.size };
  }

  private load(key: string, stored: StoredKey | undefined, now: number): CachedKey | undefined {
    if (stored === undefined) {
      this.cache.delete(key);
      return undefined;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    if (this.known.size > 10_000) this.known.clear();
    this.known.add(key);
    const keyId = keyIdOf(stored.hash);
    const principal: Principal = stored.name === undefined ? { role: stored.role, keyId } : { role: stored.role, keyId, name: stored.name };
    let bucket: KeyBucket | null = null;
    if (stored.rate !== undefined) {
      bucket = this.buckets.get(keyId) ?? null;
      if (bucket === null) {
        bucket = new KeyBucket(keyId, stored.rate, now);
        this.buckets.set(keyId, bucket);
      } else if (bucket.perSecond !== stored.rate) {
        bucket.setRate(stored.rate);
      }
    }
    const entry: CachedKey = { principal, until: now + this.cacheMs, bucket };
    this.cache.set(key, entry);
    return entry;
  }
}

/** The key of a `Bearer` header, or null when absent or malformed. */
function bearer(header: string | undefined): string | null {
  if (header === undefined || header.length > 512) return null;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return null;
  const key = header.slice(space + 1).trim();
  return key.startsWith(KEY_PREFIX) && key.length > KEY_PREFIX.length ? key : null;
}
