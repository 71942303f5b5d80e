/**
 * Request schemas of the account routes. Their words are those of src/accounts/validate.ts, which
 * still checks what depends on the account (a limit above the registered one, an expiry already
 * past, which fields an action takes); the schemas refuse wrong shapes before anything is read.
 */
import { Type } from '@sinclair/typebox';
import { MAX_ID_LENGTH } from '../../contract/fields.js';
import { DEFAULT_PAGE, MAX_PAGE } from '../../accounts/service.js';
import { ACCOUNT_ACTIONS, MAX_APPEAL_LENGTH, MAX_REASON_LENGTH } from '../../accounts/types.js';
import { intQuery, textQuery } from './pages.js';
import { expected, Nullable, StringEnum, TimeValue } from './schema.js';

/** Control characters: a reason is one line; an appeal may have line breaks and tabs. */
const ONE_LINE = '^[^\\u0000-\\u001f\\u007f]*$';
const MULTI_LINE = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';

/** `POST /v1/accounts/{accountId}/actions`; unknown fields are refused, as the domain always did. */
export const AccountActionBody = Type.Object(
  {
    action: StringEnum(ACCOUNT_ACTIONS),
    reason: Type.String(
      expected(`a non-empty string of at most ${MAX_REASON_LENGTH} characters on one line`, { minLength: 1, maxLength: MAX_REASON_LENGTH, pattern: ONE_LINE }),
    ),
    // the upper bound is the account's registered limit, so the range is the domain's to check
    limit: Type.Optional(
      Nullable(Type.Integer(expected('an integer number of fen', { description: 'lower_limit only: the new limit in fen, from 0 to the registered credit limit' }))),
    ),
    expiresAt: Type.Optional(
      Nullable(
        TimeValue(
          expected('epoch milliseconds or an ISO 8601 timestamp with offset, like 2026-12-31T23:59:59+08:00, or null for no expiry', {
            description: 'freeze, lower_limit, require_step_up only: epoch ms or ISO 8601 with offset, in the future; compared with payment time. Absent or null: until lifted',
          }),
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

/** `POST /v1/accounts/{accountId}/appeals`. */
export const AppealBody = Type.Object(
  {
    text: Type.String(
      expected(`a non-empty string of at most ${MAX_APPEAL_LENGTH} characters`, {
        minLength: 1,
        maxLength: MAX_APPEAL_LENGTH,
        pattern: MULTI_LINE,
        description: "the customer's words",
      }),
    ),
    txId: Type.Optional(
      Nullable(
        Type.String(
          expected(`a transaction id of 1–${MAX_ID_LENGTH} printable characters`, {
            minLength: 1,
            maxLength: MAX_ID_LENGTH,
            pattern: ONE_LINE,
            description: 'the payment appealed against, if any: a payment of this account',
          }),
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

/** `GET /v1/accounts/{accountId}/customer-view`. */
export const CustomerViewQuery = Type.Object({
  cursor: textQuery('the `next` of the previous page'),
  limit: intQuery(1, MAX_PAGE, { description: `page size, default ${DEFAULT_PAGE}` }),
});

/** `POST /v1/limit-proposals/approve` and `/reject`: the ids, or every pending one, and why. */
export const LimitDecisionBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.Integer(expected('a proposal id', { minimum: 1 })), expected('a list of 1–10000 proposal ids', { minItems: 1, maxItems: 10_000 }))),
    all: Type.Optional(Type.Boolean(expected('true for every pending proposal'))),
    note: Type.Optional(Type.String(expected('why, in 1–400 characters', { minLength: 1, maxLength: 400 }))),
  },
  { additionalProperties: false },
);

/** `GET /v1/limit-proposals?state=pending&limit=500`. */
export const LimitProposalQuery = Type.Object({
  state: Type.Optional(StringEnum(['pending', 'approved', 'rejected', 'superseded'] as const, expected('pending, approved, rejected or superseded'))),
  limit: intQuery(1, 10_000),
});
