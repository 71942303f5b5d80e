/**
 * Webhooks: what the risk team's other systems (the provider's notification service, a SIEM, a
 * ticketing tool) subscribe to, and the port that keeps subscriptions and the outbox. Events are
 * derived from the audit log — every change the engine or a person makes is audited in the same
 * transaction as the change itself — so a change that happened is never missing from the outbox,
 * and a restart or `kill -9` between the change and its delivery loses nothing (docs/automation.md).
 */

/** The event types a webhook may subscribe to: each is emitted by something in the product today. */
export const WEBHOOK_EVENT_TYPES = ['account.restricted', 'account.restored', 'case.opened', 'case.resolved', 'merchant.action', 'alert.raised', 'appeal.decided', 'customer.notice'] as const;

/** One of WEBHOOK_EVENT_TYPES. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A subscription as the API shows it (never its secret after creation). */
export interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly description: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
}

/** A subscription to create; the store generates id and secret. */
export interface NewWebhook {
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly description: string | null;
  readonly createdBy: string;
  readonly createdAt: number;
}

/** Where a delivery stands: waiting (first try or a retry), received by the endpoint, or given up on. */
export type DeliveryState = 'pending' | 'delivered' | 'dead';

/** One event for one webhook, tried until the endpoint answers 2xx or the retry window ends. */
export interface WebhookDelivery {
  readonly id: string;
  readonly webhookId: string;
  /** The event's id: the same for every webhook that receives it, so a receiver can drop repeats. */
  readonly eventId: string;
  readonly type: WebhookEventType;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAt: number;
  readonly state: DeliveryState;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: number | null;
}

/** A delivery with what it sends. */
export interface DueDelivery extends WebhookDelivery {
  readonly url: string;
  readonly secret: string;
  /** The JSON body, exactly as signed and sent. */
  readonly body: string;
}

/** A new delivery for the outbox. */
export interface NewDelivery {
  readonly webhookId: string;
  readonly eventId: string;
  readonly type: WebhookEventType;
  readonly body: string;
  readonly createdAt: number;
}

/**
 * Subscriptions and the outbox of one deployment. Synchronous: the embedded store answers in
 * microseconds and the dispatcher runs off the decision path.
 */
export interface WebhookStore {
  /** Creates a subscription with a generated id and secret; returns both (the secret only here). */
  create(w: NewWebhook): { webhook: Webhook; secret: string };
  /** Live subscriptions, oldest first. */
  list(): Webhook[];
  /** The live subscription `id` (NotFoundError when unknown or deleted). */
  get(id: string): Webhook;
  /** Deletes `id`: no new deliveries; pending ones are dropped (state dead, "webhook deleted"). */
  remove(id: string, at: number): Webhook;
  /** The last audit seq whose events are in the outbox. */
  cursor(): number;
  /** Adds `deliveries` and moves the cursor to `auditSeq`, in one transaction. */
  enqueue(auditSeq: number, deliveries: readonly NewDelivery[]): void;
  /** Pending deliveries due at `now`, oldest first, at most `limit`, excluding `skip` (in flight). */
  due(now: number, limit: number, skip: ReadonlySet<string>): DueDelivery[];
  /** Records a 2xx answer. */
  delivered(id: string, at: number, status: number): void;
  /** Records a failed try: retried at `nextAt`, or dead when null. */
  failed(id: string, at: number, status: number | null, error: string, nextAt: number | null): void;
  /** Deliveries of `webhookId`, newest first, optionally of one state. */
  deliveries(webhookId: string, q: { state?: DeliveryState; limit?: number }): WebhookDelivery[];
  /** Counts by state, for /metrics. */
  counts(): Record<DeliveryState, number>;
}
