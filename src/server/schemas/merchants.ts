/**
 * Request schemas of the merchant routes, worded as src/merchants/actions.ts words its refusals
 * (which still runs: which action takes a terminal or an expiry, and whether it is in the future).
 */
import { Type } from '@sinclair/typebox';
import { ACTION_NAMES, MAX_REASON } from '../../merchants/actions.js';
import { intQuery, textQuery } from './pages.js';
import { expected, Nullable, StringEnum, TimeValue } from './schema.js';

/** `POST /v1/merchants/{merchantId}/actions` (extra fields are ignored, as they always were). */
export const MerchantActionBody = Type.Object({
  action: StringEnum(ACTION_NAMES, expected(`one of ${ACTION_NAMES.map((x) => JSON.stringify(x)).join(', ')}`)),
  reason: Type.String(expected(`why, in 1–${MAX_REASON} characters`, { minLength: 1, maxLength: MAX_REASON, pattern: '\\S' })),
  terminalId: Type.Optional(
    Nullable(
      Type.String(
        expected("the id of one of the merchant's terminals", {
          minLength: 1,
          maxLength: 128,
          description: "suspend_terminal and release_terminal: one of the merchant's terminals",
        }),
      ),
    ),
  ),
  expiresAt: Type.Optional(
    Nullable(
      TimeValue(
        expected('epoch milliseconds or an ISO 8601 timestamp with offset, like 2026-12-31T23:59:59+08:00, or null for no expiry', {
          description: 'hold_settlement and suspend_terminal: epoch ms or ISO 8601 with offset, in the future; absent or null: never',
        }),
      ),
    ),
  ),
});

/** `GET /v1/merchants`. */
export const MerchantListQuery = Type.Object({
  kind: Type.Optional(StringEnum(['merchant', 'terminal'] as const, expected('merchant or terminal', { default: 'merchant' }))),
  minScore: intQuery(0, 100, { description: 'default 0' }),
  limit: intQuery(1, 1000, { description: 'default 100' }),
});

/** `GET /v1/merchants/{merchantId}`. */
export const MerchantCheckQuery = Type.Object({
  terminalId: textQuery('a terminal to check: is it this merchant\'s, and in service?'),
});

/** `POST /v1/acquirers/licence-list`: the central bank's list of licensed payment institutions, as rows. */
export const LicenceListBody = Type.Object(
  {
    asOf: Type.String(expected('the list\'s date, YYYY-MM-DD', { pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    source: Type.String(expected('where the list comes from, 1–200 characters', { minLength: 1, maxLength: 200 })),
    rows: Type.Array(
      Type.Object(
        {
          acquirerId: Type.Optional(Type.String(expected('an institution code of 1–128 characters', { minLength: 1, maxLength: 128 }))),
          name: Type.String(expected('the institution name, 1–200 characters', { minLength: 1, maxLength: 200 })),
          validUntil: Type.Optional(Type.String(expected('the licence\'s last valid day, YYYY-MM-DD', { pattern: '^\\d{4}-\\d{2}-\\d{2}$' }))),
        },
        { additionalProperties: false },
      ),
      expected('the list\'s institutions, 1–20000 rows', { minItems: 1, maxItems: 20_000 }),
    ),
    markUnlisted: Type.Optional(Type.Boolean(expected('true when the list is complete: registered acquirers it does not name become unlicensed'))),
    dryRun: Type.Optional(Type.Boolean(expected('true to see what the import would do, changing nothing'))),
  },
  { additionalProperties: false },
);
