/**
 * The message keys of the server's enumerations (roles, outcomes, bands, case states, issues), so a
 * page shows `Critical` or `严重`, never the wire value, and an unknown value still shows as itself.
 */
import type { CaseStatus, Outcome, PriorityBand, Role } from '../api/types';
import type { MessageKey } from '../i18n/en';
import type { Translate } from '../i18n/i18n';
import type { PageId } from './nav';

/** Each role's name. */
export const ROLE_NAMES: Readonly<Record<Role, MessageKey>> = {
  decide: 'role.decide',
  analyst: 'role.analyst',
  admin: 'role.admin',
  support: 'role.support',
  ingest: 'role.ingest',
  metrics: 'role.metrics',
};

/** Each page's navigation label. */
export const PAGE_NAMES: Readonly<Record<PageId, MessageKey>> = {
  overview: 'nav.overview',
  cases: 'nav.cases',
  accounts: 'nav.accounts',
  merchants: 'nav.merchants',
  rules: 'nav.rules',
  lists: 'nav.lists',
  reports: 'nav.reports',
  automation: 'nav.automation',
  audit: 'nav.audit',
};

/** Each outcome's name. */
export const OUTCOME_NAMES: Readonly<Record<Outcome, MessageKey>> = {
  approve: 'outcome.approve',
  challenge: 'outcome.challenge',
  review: 'outcome.review',
  decline: 'outcome.decline',
};

/** Each priority band's name, most urgent first. */
export const BAND_NAMES: Readonly<Record<PriorityBand, MessageKey>> = {
  critical: 'band.critical',
  high: 'band.high',
  medium: 'band.medium',
  low: 'band.low',
};

/** Each case state's name. */
export const STATUS_NAMES: Readonly<Record<CaseStatus, MessageKey>> = {
  open: 'caseStatus.open',
  investigating: 'caseStatus.investigating',
  resolved: 'caseStatus.resolved',
};

/** The issues that open cases (src/cases/types.ts), by name; detectors are `detector:<name>`. */
export const ISSUE_NAMES: Readonly<Record<string, MessageKey>> = {
  review: 'issue.review',
  challenge_failed: 'issue.challengeFailed',
  appeal: 'issue.appeal',
  analyst: 'issue.analyst',
  settlement_held: 'issue.settlementHeld',
};

/** An issue in words: a known one translated, a detector named, anything else as sent. */
export function issueName(t: Translate, issue: string): string {
  const key = ISSUE_NAMES[issue];
  if (key !== undefined) return t(key);
  if (issue.startsWith('detector:')) return t('issue.detector', { name: issue.slice('detector:'.length) });
  return issue;
}
