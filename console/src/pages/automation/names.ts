/**
 * The message keys of the automation page's enumerations — proposal and delivery states, webhook
 * event types, notice kinds and placeholders — so the page shows words, never the wire value, and a
 * value a newer server sends still shows as itself.
 */
import type { MessageKey } from '../../i18n/en';
import type { Translate } from '../../i18n/i18n';
import type { DeliveryState, NoticePlaceholder, ProposalState, WebhookEventType } from './types';

/** Each proposal state's name. */
export const PROPOSAL_STATE_NAMES: Readonly<Record<ProposalState, MessageKey>> = {
  pending: 'proposals.states.pending',
  approved: 'proposals.states.approved',
  rejected: 'proposals.states.rejected',
  superseded: 'proposals.states.superseded',
};

/** Each delivery state's name. */
export const DELIVERY_STATE_NAMES: Readonly<Record<DeliveryState, MessageKey>> = {
  pending: 'deliveries.states.pending',
  delivered: 'deliveries.states.delivered',
  dead: 'deliveries.states.dead',
};

/** A state's badge colour (the classes the Rules page's versions use). */
export const STATE_CLASSES: Readonly<Record<ProposalState | DeliveryState, string>> = {
  pending: 'state state-proposed',
  approved: 'state state-live',
  delivered: 'state state-live',
  rejected: 'state state-rejected',
  dead: 'state state-rejected',
  superseded: 'state',
};

/** What each event type tells of. */
export const EVENT_TYPE_NAMES: Readonly<Record<WebhookEventType, MessageKey>> = {
  'account.restricted': 'webhooks.events.accountRestricted',
  'account.restored': 'webhooks.events.accountRestored',
  'case.opened': 'webhooks.events.caseOpened',
  'case.resolved': 'webhooks.events.caseResolved',
  'merchant.action': 'webhooks.events.merchantAction',
  'alert.raised': 'webhooks.events.alertRaised',
  'appeal.decided': 'webhooks.events.appealDecided',
  'customer.notice': 'webhooks.events.customerNotice',
};

/** What each notice kind of src/notices/templates.ts is about. */
export const NOTICE_KIND_NAMES: Readonly<Record<string, MessageKey>> = {
  account_frozen: 'notices.kinds.accountFrozen',
  account_unfrozen: 'notices.kinds.accountUnfrozen',
  limit_lowered: 'notices.kinds.limitLowered',
  limit_restored: 'notices.kinds.limitRestored',
  step_up_required: 'notices.kinds.stepUpRequired',
  step_up_lifted: 'notices.kinds.stepUpLifted',
  restrictions_lifted: 'notices.kinds.restrictionsLifted',
  appeal_upheld: 'notices.kinds.appealUpheld',
  appeal_rejected: 'notices.kinds.appealRejected',
};

/** What each placeholder is filled with. */
export const PLACEHOLDER_MEANINGS: Readonly<Record<NoticePlaceholder, MessageKey>> = {
  accountId: 'notices.placeholders.accountId',
  until: 'notices.placeholders.until',
  limit: 'notices.placeholders.limit',
};

/** An event type in words: a known one translated, anything else as sent. */
export function eventName(t: Translate, type: string): string {
  const key = (EVENT_TYPE_NAMES as Readonly<Record<string, MessageKey>>)[type];
  return key === undefined ? type : t(key);
}

/** A notice kind in words: a known one translated, anything else as sent. */
export function kindName(t: Translate, kind: string): string {
  const key = NOTICE_KIND_NAMES[kind];
  return key === undefined ? kind : t(key);
}
