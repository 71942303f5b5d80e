/** Request schemas of the alert routes. */
import { Type } from '@sinclair/typebox';
import { intQuery } from './pages.js';
import { expected, StringEnum } from './schema.js';

/** `GET /v1/alerts?open=true&limit=100`. */
export const AlertListQuery = Type.Object({
  open: Type.Optional(StringEnum(['true', 'false'] as const, expected('true (only the unacknowledged) or false'))),
  limit: intQuery(1, 1000),
});

/** `POST /v1/alerts/{id}/ack`: an optional `{note}`. */
export const AlertAckBody = Type.Object(
  { note: Type.Optional(Type.String(expected('a note of 1–1000 characters', { minLength: 1, maxLength: 1000 }))) },
  { additionalProperties: false },
);
