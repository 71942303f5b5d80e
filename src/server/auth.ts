/**
 * API keys and roles. A key is `fk_` + 32 random bytes (base64url); only its sha256 is stored, so
 * a copy of the data folder does not hand out working keys. Roles decide what a key may do:
 * `decide` posts decisions and events, `analyst` reads, `admin` does everything, `support` reads
 * the customer view of an account and files appeals (nothing else).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ROLES, type KeyStore, type Role, type StoredKey } from '../keys/store.js';
import { ApiError } from './errors.js';

/** The prefix of every key, so a leaked one is easy to recognise in logs and scanners. */
export const KEY_PREFIX = 'fk_';

/**
 * What a route needs; each maps to the roles allowed to do it. `support` reads the customer view of
 * an account (what the customer is told, never scores or rules): customer service, and analysts and
 * admins who need to see what the customer sees. `appeal` files an appeal for a customer: customer
 * service and admins, not analysts — they decide appeals, and should not judge their own filing.
 * `self` is what every key may learn about itself (`GET /v1/whoami`), so a client such as the
 * analyst console can find out what its key may do before it shows anything.
 */
export type Permission = 'decide' | 'read' | 'docs' | 'admin' | 'support' | 'appeal' | 'self';

const ALLOWED: Record<Permission, readonly Role[]> = {
  decide: ['decide', 'admin'],
  read: ['analyst', 'admin'],
  docs: ['decide', 'analyst', 'admin'],
  admin: ['admin'],
  support: ['support', 'analyst', 'admin'],
  appeal: ['support', 'admin'],
  self: ROLES,
};

/** Every permission, in the order of the table above (the order `permissionsOf` lists them in), for schemas and docs. */
export const PERMISSIONS: readonly Permission[] = Object.keys(ALLOWED) as Permission[];

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

/**
 * Checks `Authorization: Bearer <key>` against the key store. A key found is remembered for a few
 * seconds (keyed by the presented key, which arrives in every request anyway), so the hot path
 * neither hashes nor queries; unknown keys always go to the store, so a key created while the
 * server runs works at once. A revocation through the same store (the server's `DELETE /v1/keys/…`)
 * empties the cache, so the revoked key is refused on its very next request; one made by another
 * process (`fengkong keys revoke` beside the server) takes effect within `cacheMs` (5 s).
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  private revocations: number;

  constructor(
    private readonly keys: KeyStore,
    private readonly cacheMs = 5_000,
  ) {
    this.revocations = keys.revocations();
  }

  /** The caller when it may do `need`; otherwise the 401/403 to answer. */
  check(header: string | undefined, need: Permission): Principal | ApiError {
    const key = bearer(header);
    if (key === null) {
      return new ApiError('unauthorized', 'missing or malformed Authorization header; expected "Bearer <key>"', {
        headers: UNAUTHORIZED_HEADERS,
      });
    }
    const principal = this.principalOf(key);
    if (principal === undefined) {
      return new ApiError('unauthorized', 'unknown or revoked API key', { headers: UNAUTHORIZED_HEADERS });
    }
    if (!ALLOWED[need].includes(principal.role)) {
      return new ApiError('forbidden', `role "${principal.role}" may not do this; it needs one of ${ALLOWED[need].join(', ')}`);
    }
    return principal;
  }

  private principalOf(key: string): Principal | undefined {
    const now = Date.now();
    const revocations = this.keys.revocations();
    if (revocations !== this.revocations) {
      // rare: clearing everything is simpler than finding the revoked key's entries, and as safe
      this.cache.clear();
      this.revocations = revocations;
    }
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.until > now) return hit.principal;
    const stored = this.keys.findKey(hashKey(key));
    if (stored === undefined) {
      this.cache.delete(key);
      return undefined;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    const principal: Principal = stored.name === undefined ? { role: stored.role, keyId: keyIdOf(stored.hash) } : { role: stored.role, keyId: keyIdOf(stored.hash), name: stored.name };
    this.cache.set(key, { principal, until: now + this.cacheMs });
    return principal;
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
