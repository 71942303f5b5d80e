/**
 * Request schemas of the webhook routes. That a URL parses as http(s) and that each event type is
 * one Fengkong emits is checked here, so a refusal names the field before anything is stored.
 */
import { Type } from '@sinclair/typebox';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/types.js';
import { intQuery } from './pages.js';
import { expected, StringEnum } from './schema.js';

const TYPES = WEBHOOK_EVENT_TYPES.join(', ');

/** `POST /v1/webhooks`: `{url, events, description?}`. */
export const WebhookCreateBody = Type.Object(
  {
    url: Type.String(expected('the endpoint\'s URL, http:// or https://, at most 2,000 characters', { pattern: '^https?://[^\\s]+$', maxLength: 2000 })),
    events: Type.Array(StringEnum(WEBHOOK_EVENT_TYPES, expected(`one of ${TYPES}`)), expected(`a non-empty list of event types, each one of ${TYPES}`, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true })),
    description: Type.Optional(Type.String(expected('up to 500 characters', { maxLength: 500 }))),
  },
  { additionalProperties: false },
);

/** `GET /v1/webhooks/{id}/deliveries?state=dead&limit=100`. */
export const WebhookDeliveriesQuery = Type.Object({
  state: Type.Optional(StringEnum(['pending', 'delivered', 'dead'] as const, expected('pending, delivered or dead'))),
  limit: intQuery(1, 1000),
});
