/**
 * Request schemas of the list routes, worded as src/lists/validate.ts words its refusals (which
 * still runs: ip values, surrounding spaces and expiries in the past are its to check).
 */
import { Type } from '@sinclair/typebox';
import { LIST_KINDS, LIST_NAME_RE, LIST_PURPOSES, DEFAULT_PAGE, MAX_PAGE, MAX_TEXT_LENGTH, MAX_VALUE_LENGTH } from '../../lists/types.js';
import { intQuery, textQuery } from './pages.js';
import { expected, Nullable, StringEnum, TimeValue } from './schema.js';

/** `POST /v1/lists` (extra fields are ignored, as they always were). */
export const ListBody = Type.Object({
  name: Type.String(
    expected('a list name of 1–64 lowercase letters, digits and _, starting with a letter (e.g. block_devices)', { pattern: LIST_NAME_RE.source }),
  ),
  kind: StringEnum(LIST_KINDS),
  purpose: StringEnum(LIST_PURPOSES),
  description: Type.Optional(Nullable(Type.String({ maxLength: MAX_TEXT_LENGTH }))),
});

/** `POST /v1/lists/{name}/entries`. */
export const ListEntryBody = Type.Object({
  value: Type.String(
    expected(`a string of 1–${MAX_VALUE_LENGTH} printable characters`, { minLength: 1, maxLength: MAX_VALUE_LENGTH, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
  ),
  reason: Type.String(expected(`a non-empty string of at most ${MAX_TEXT_LENGTH} characters`, { minLength: 1, maxLength: MAX_TEXT_LENGTH })),
  expiresAt: Type.Optional(
    Nullable(
      TimeValue(
        expected('epoch milliseconds or an ISO 8601 timestamp with offset, like 2026-12-31T23:59:59+08:00, or null for no expiry', {
          description: 'epoch ms or ISO 8601 with offset, in the future; absent or null: never',
        }),
      ),
    ),
  ),
});

/** `GET /v1/lists/{name}/entries`. */
export const ListEntriesQuery = Type.Object({
  after: textQuery('the `next` of the previous page'),
  limit: intQuery(1, MAX_PAGE, expected(`a whole number from 1 to ${MAX_PAGE}`, { description: `page size, default ${DEFAULT_PAGE}` })),
});
