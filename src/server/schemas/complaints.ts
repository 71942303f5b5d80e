/** Request schemas of the complaint routes. */
import { Type } from '@sinclair/typebox';
import { MAX_COMPLAINT_TEXT } from '../../complaints/types.js';
import { intQuery } from './pages.js';
import { expected, StringEnum } from './schema.js';

const ID = Type.String(expected('an id of 1–128 characters', { minLength: 1, maxLength: 128 }));

/** `POST /v1/complaints`. */
export const ComplaintBody = Type.Object(
  {
    subjectKind: StringEnum(['account', 'merchant'] as const, expected('"account" or "merchant"')),
    subjectId: ID,
    text: Type.String(expected(`the customer's words, 1–${MAX_COMPLAINT_TEXT} characters`, { minLength: 1, maxLength: MAX_COMPLAINT_TEXT })),
    txId: Type.Optional(ID),
    complainant: Type.Optional(Type.Object({ accountId: Type.Optional(ID), deviceId: Type.Optional(ID), ip: Type.Optional(ID) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

/** `GET /v1/complaints?subjectKind=merchant&subjectId=M1&limit=50`. */
export const ComplaintListQuery = Type.Object({
  subjectKind: StringEnum(['account', 'merchant'] as const, expected('"account" or "merchant"')),
  subjectId: ID,
  limit: intQuery(1, 500),
});
