/**
 * `GET /v1/keys` and `DELETE /v1/keys/{keyId}` (admin): the API keys of the deployment and their
 * revocation. Keys are shown by id (`key_` + 12 hex digits of the hash), label, role and times; a
 * hash never leaves the server. A revocation needs a reason, is audited (`key.revoke`, actor the
 * caller's key id, before/after) and takes effect on the revoked key's very next request. An admin
 * may not revoke the key it is calling with (409), so a deployment is not locked out by mistake.
 * `PATCH /v1/keys/{keyId}` sets or lifts a key's rate limit (audited as `key.rate`), in force from
 * the key's next request.
 */
import { ConflictError, InputError } from '../../errors.js';
import { checkKeyRate, type StoredKey } from '../../keys/store.js';
import { checkRevokeReason, keyIdOf, keyView } from '../auth.js';
import type { ModuleFactory, Route } from '../routes.js';
import { KeyRateBody, KeyRevokeBody, KeyRevokeQuery } from '../schemas/keys.js';

const REVOKE_LIMITS = { maxBytes: 4 * 1024, maxDepth: 4 };

/**
 * What the key routes change, each change together with its audit record: a data folder's store in
 * one SQLite transaction, a cluster's in one PostgreSQL transaction (wiring/cluster/keys.ts).
 */
export interface KeyChanges {
  list(): StoredKey[] | Promise<StoredKey[]>;
  /** The key named by id or hash prefix (NotFoundError / ConflictError as KeyStore.revokeKey). */
  resolve(idOrPrefix: string): StoredKey | Promise<StoredKey>;
  /** Sets or lifts `target`'s rate, audited as key.rate by `actor`. */
  setRate(target: StoredKey, rate: number | null, actor: string): StoredKey | Promise<StoredKey>;
  /** Revokes `target`, audited as key.revoke by `actor`. */
  revoke(target: StoredKey, actor: string, reason: string): StoredKey | Promise<StoredKey>;
}

/** The keys module of the embedded server: its data folder's keys. */
export const keysModule: ModuleFactory = ({ store, audit }) => ({
  routes: keyRoutes({
    list: () => store.listKeys(),
    resolve: (id) => store.resolveKey(id),
    setRate: (target, rate, actor) =>
      store.database
        .transaction(() => {
          const after = store.setKeyRate(target.hash, rate);
          audit.append({ actor, action: 'key.rate', target: `keys/${keyIdOf(target.hash)}`, before: keyView(target), after: keyView(after) });
          return after;
        })
        .immediate(),
    revoke: (target, actor, reason) =>
      store.database
        .transaction(() => {
          const after = store.revokeKey(target.hash, actor, reason);
          audit.append({ actor, action: 'key.revoke', target: `keys/${keyIdOf(target.hash)}`, before: keyView(target), after: keyView(after) });
          return after;
        })
        .immediate(),
  }),
});

/** The key routes over either place's changes. */
export function keyRoutes(keys: KeyChanges): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/keys',
      permission: 'admin',
      summary: 'Every API key, revoked ones too, oldest first (ids and labels, never hashes)',
      async handle() {
        return { body: { keys: (await keys.list()).map(keyView) } };
      },
    },
    {
      method: 'PATCH',
      path: '/v1/keys/{keyId}',
      permission: 'admin',
      summary: 'Set (or lift, with null) the rate limit of an API key, in requests per second',
      description:
        'Body `{"rate": 200}` or `{"rate": null}`. In force from the key\'s next request on this server (another server on the same ' +
        'folder or cluster: within 5 s). Over its rate a key is answered 429 rate_limited with Retry-After. Audited as key.rate. 404 for an unknown ' +
        'key id, 409 for a revoked key.',
      body: REVOKE_LIMITS,
      bodySchema: KeyRateBody,
      async handle({ params, body, principal }) {
        const raw = (body as { rate: unknown }).rate;
        const rate = raw === null ? null : checkKeyRate(raw);
        if (rate === null && raw !== null) throw new InputError('rate', 'requests per second, a number above 0, or null for no limit');
        const target = await keys.resolve(params.keyId);
        return { body: { key: keyView(await keys.setRate(target, rate, principal.keyId)) } };
      },
    },
    {
      method: 'DELETE',
      path: '/v1/keys/{keyId}',
      permission: 'admin',
      summary: 'Revoke an API key; refused (401) from its next request on',
      description:
        'A reason is required, in the JSON body `{"reason": "…"}` or the query (`?reason=…`). Audited as key.revoke. ' +
        '404 for an unknown key id, 409 for a key already revoked or the key of the calling request.',
      body: REVOKE_LIMITS,
      bodyOptional: true,
      bodySchema: KeyRevokeBody,
      querySchema: KeyRevokeQuery,
      async handle({ params, query, body, principal }) {
        const fromBody = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { reason?: unknown }).reason : undefined;
        const reason = checkRevokeReason(fromBody ?? query.get('reason') ?? undefined);
        if (reason === null) throw new InputError('reason', 'why the key is revoked: 1–500 characters, in the body or the query');
        const target = await keys.resolve(params.keyId);
        const keyId = keyIdOf(target.hash);
        if (keyId === principal.keyId) {
          throw new ConflictError(`${keyId} is the key of this request; revoke it with another admin key`);
        }
        return { body: { key: keyView(await keys.revoke(target, principal.keyId, reason)) } };
      },
    },
  ];
}
