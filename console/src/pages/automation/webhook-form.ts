/**
 * The new-webhook form checked as the server checks it (src/server/schemas/webhooks.ts), so the
 * person sees which field is wrong before anything is sent: an http(s) URL of at most 2,000
 * characters without spaces, at least one event type, a description of at most 500 characters.
 * Also the path of a webhook's deliveries.
 */
import { withQuery } from '../../api/client';
import { WEBHOOK_EVENT_TYPES, type DeliveryState, type WebhookEventType } from './types';

const URL_SHAPE = /^https?:\/\/\S+$/;
const MAX_URL = 2_000;
const MAX_DESCRIPTION = 500;

/** The form as typed and ticked. */
export interface WebhookForm {
  readonly url: string;
  readonly events: ReadonlySet<WebhookEventType>;
  readonly description: string;
}

/** The body of `POST /v1/webhooks`. */
export interface WebhookBody {
  readonly url: string;
  readonly events: WebhookEventType[];
  readonly description?: string;
}

/** The body (events in the server's order, an empty description left out), or the field in error. */
export function webhookBody(f: WebhookForm): { body: WebhookBody } | { field: 'url' | 'events' | 'description' } {
  const url = f.url.trim();
  if (!URL_SHAPE.test(url) || url.length > MAX_URL) return { field: 'url' };
  const events = WEBHOOK_EVENT_TYPES.filter((e) => f.events.has(e));
  if (events.length === 0) return { field: 'events' };
  const description = f.description.trim();
  if (description.length > MAX_DESCRIPTION) return { field: 'description' };
  return { body: description === '' ? { url, events } : { url, events, description } };
}

/** The path of a webhook's latest deliveries, of one state or all. */
export function deliveriesPath(webhookId: string, state: DeliveryState | 'all', limit = 100): string {
  return withQuery(`/v1/webhooks/${encodeURIComponent(webhookId)}/deliveries`, { state: state === 'all' ? undefined : state, limit });
}
