/**
 * `POST /v1/webhooks`, `GET /v1/webhooks`, `DELETE /v1/webhooks/{id}` and
 * `GET /v1/webhooks/{id}/deliveries` (admin): subscriptions of the provider's other systems to what
 * happens in Fengkong, signed deliveries from a durable outbox (src/webhooks/). The secret is shown
 * once, in the 201 of the creation. Creation and deletion are audited (`webhook.create`,
 * `webhook.delete`). The module runs the dispatcher and stops it before the store closes.
 */
import { SqliteWebhookStore } from '../../store/sqlite/webhooks.js';
import { WebhookDispatcher } from '../../webhooks/dispatcher.js';
import type { DeliveryState, WebhookEventType } from '../../webhooks/types.js';
import type { ModuleFactory } from '../routes.js';
import { WebhookCreateBody, WebhookDeliveriesQuery } from '../schemas/webhooks.js';

const LIMITS = { maxBytes: 8 * 1024, maxDepth: 4 };

/** The webhooks module of the embedded server. */
export const webhooksModule: ModuleFactory = ({ store, audit, metrics, webhooks: options }) => {
  const hooks = new SqliteWebhookStore(store.database);
  const dispatcher = new WebhookDispatcher(hooks, audit, options);
  dispatcher.start();
  metrics.family('fengkong_webhook_deliveries', 'Webhook deliveries in the outbox, by state (pending, delivered, dead).', 'gauge', 'state', () => Object.entries(hooks.counts()));
  const tx = <T>(fn: () => T): T => store.database.transaction(fn).immediate();
  return {
    routes: [
      {
        method: 'POST',
        path: '/v1/webhooks',
        permission: 'admin',
        summary: 'Subscribes an endpoint to events; the answer holds its signing secret, shown only here',
        body: LIMITS,
        bodySchema: WebhookCreateBody,
        handle: ({ body, principal }) => {
          const b = body as { url: string; events: WebhookEventType[]; description?: string };
          const made = tx(() => {
            const m = hooks.create({ url: b.url, events: b.events, description: b.description ?? null, createdBy: principal.keyId, createdAt: Date.now() });
            audit.append({ actor: principal.keyId, action: 'webhook.create', target: `webhooks/${m.webhook.id}`, before: null, after: m.webhook });
            return m;
          });
          return { status: 201, body: { ...made.webhook, secret: made.secret } };
        },
      },
      {
        method: 'GET',
        path: '/v1/webhooks',
        permission: 'admin',
        summary: 'The subscriptions, oldest first (without their secrets)',
        handle: () => ({ body: { webhooks: hooks.list() } }),
      },
      {
        method: 'DELETE',
        path: '/v1/webhooks/{id}',
        permission: 'admin',
        summary: 'Deletes a subscription; its pending deliveries are dropped',
        handle: ({ params, principal }) => {
          const gone = tx(() => {
            const w = hooks.remove(params.id, Date.now());
            audit.append({ actor: principal.keyId, action: 'webhook.delete', target: `webhooks/${w.id}`, before: w, after: null });
            return w;
          });
          return { body: { ...gone, deleted: true } };
        },
      },
      {
        method: 'GET',
        path: '/v1/webhooks/{id}/deliveries',
        permission: 'admin',
        summary: 'A subscription\'s deliveries, newest first: attempts, last answer or error, dead letters',
        querySchema: WebhookDeliveriesQuery,
        handle: ({ params, query }) => {
          hooks.get(params.id);
          const state = (query.get('state') ?? undefined) as DeliveryState | undefined;
          const limit = query.get('limit');
          return { body: { deliveries: hooks.deliveries(params.id, { state, limit: limit === null ? undefined : Number(limit) }) } };
        },
      },
    ],
    close: () => dispatcher.close(),
  };
};
