/**
 * What the automation routes answer, as the Automation page reads them: limit proposals
 * (src/accounts/limit-proposals.ts, routes/limit-proposals.ts), webhooks (src/webhooks/types.ts,
 * routes/webhooks.ts) and customer notice templates (src/notices/templates.ts, store.ts). Written by
 * hand like the console's other shapes; test/console/automation-page-e2e.test.ts holds the lists
 * copied here to the server's own.
 */

/** What becomes of a limit proposal. */
export type ProposalState = 'pending' | 'approved' | 'rejected' | 'superseded';

/** Every proposal state, in the order the filter offers them (pending first: the work to do). */
export const PROPOSAL_STATES: readonly ProposalState[] = ['pending', 'approved', 'rejected', 'superseded'];

/** One proposal of `GET /v1/limit-proposals`; limits in fen, times in epoch ms. */
export interface LimitProposal {
  readonly id: number;
  readonly accountId: string;
  readonly grade: string;
  /** The limit in force when proposed. */
  readonly currentLimit: number;
  /** Always below currentLimit. */
  readonly proposedLimit: number;
  /** The weekly job's slot that made it. */
  readonly slot: number;
  readonly createdAt: number;
  readonly state: ProposalState;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly note: string | null;
}

/** `POST /v1/limit-proposals/approve` (`approved`) or `/reject` (`rejected`): what was done and what was skipped, and why. */
export interface LimitDecisionAnswer {
  readonly approved?: readonly number[];
  readonly rejected?: readonly number[];
  readonly skipped: readonly { readonly id: number; readonly why: string }[];
}

/** The event types a webhook may subscribe to: src/webhooks/types.ts WEBHOOK_EVENT_TYPES, in its order. */
export const WEBHOOK_EVENT_TYPES = ['account.restricted', 'account.restored', 'case.opened', 'case.resolved', 'merchant.action', 'alert.raised', 'appeal.decided', 'customer.notice'] as const;

/** One of WEBHOOK_EVENT_TYPES. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A subscription as `GET /v1/webhooks` lists it (never with its secret). */
export interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly description: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
}

/** The 201 of `POST /v1/webhooks`: the subscription and its signing secret, shown only here. */
export interface CreatedWebhook extends Webhook {
  readonly secret: string;
}

/** Where a delivery stands. */
export type DeliveryState = 'pending' | 'delivered' | 'dead';

/** Every delivery state, as the deliveries filter offers them. */
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'dead'];

/** One delivery of `GET /v1/webhooks/{id}/deliveries`, newest first. */
export interface WebhookDelivery {
  readonly id: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly type: string;
  readonly createdAt: number;
  readonly attempts: number;
  /** When the next try is due (pending deliveries only mean anything by it). */
  readonly nextAt: number;
  readonly state: DeliveryState;
  /** The endpoint's last HTTP status, null when it never answered. */
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: number | null;
}

/** The two languages of every notice template. */
export const NOTICE_LANGS = ['zh-CN', 'en'] as const;

/** One of NOTICE_LANGS. */
export type NoticeLang = (typeof NOTICE_LANGS)[number];

/** One kind's text in both languages. */
export type NoticeTemplate = Readonly<Record<NoticeLang, string>>;

/** Every kind's template, keyed by the server's notice kinds (account_frozen, limit_lowered …). */
export type NoticeTemplates = Readonly<Record<string, NoticeTemplate>>;

/** The placeholders a template may use: src/notices/templates.ts PLACEHOLDERS. */
export const NOTICE_PLACEHOLDERS = ['accountId', 'until', 'limit'] as const;

/** One of NOTICE_PLACEHOLDERS. */
export type NoticePlaceholder = (typeof NOTICE_PLACEHOLDERS)[number];

/** Longest template text the server takes (src/notices/templates.ts MAX_TEMPLATE_LENGTH). */
export const MAX_TEMPLATE_LENGTH = 1_000;

/** A stored template version. */
export interface TemplateVersion {
  readonly version: number;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly note: string;
}

/** `GET /v1/notices/templates`: the templates in use, their version (0: the built-in set) and the stored versions, newest first. */
export interface NoticeTemplatesAnswer {
  readonly version: number;
  readonly templates: NoticeTemplates;
  readonly versions: readonly TemplateVersion[];
}
