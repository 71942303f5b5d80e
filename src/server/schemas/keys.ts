/**
 * Request schemas of the key routes. A revocation's reason may come in the body or the query; that
 * one of them holds it is the handler's check (auth.ts checkRevokeReason), not a schema's.
 */
import { Type } from '@sinclair/typebox';
import { MAX_KEY_RATE } from '../../keys/store.js';
import { textQuery } from './pages.js';
import { expected, Nullable } from './schema.js';

const REASON = 'why the key is revoked: 1–500 characters, in the body or the query';

/** `DELETE /v1/keys/{keyId}`: an optional body `{reason}`. */
export const KeyRevokeBody = Type.Object({
  reason: Type.Optional(Nullable(Type.String(expected(REASON, { pattern: '\\S', description: '1–500 characters once trimmed' })))),
});

/** `DELETE /v1/keys/{keyId}?reason=…`, for clients that send no body with a DELETE. */
export const KeyRevokeQuery = Type.Object({
  reason: textQuery('why the key is revoked, when the request has no body', expected(REASON, { pattern: '\\S' })),
});

/** `PATCH /v1/keys/{keyId}`: `{rate}`, requests per second, or null to lift the limit. */
export const KeyRateBody = Type.Object(
  {
    rate: Nullable(
      Type.Number(
        expected(`requests per second, a number above 0 and at most ${MAX_KEY_RATE}, or null for no limit`, {
          exclusiveMinimum: 0,
          maximum: MAX_KEY_RATE,
          description: 'requests per second (a burst of one second\'s worth); null lifts the limit',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);
