/**
 * The shapes of block, allow and watch lists: named sets of values (accounts, devices, merchants,
 * terminals, IPs, or free strings such as MCCs) that rules test with `in_list(x, "name")` and that
 * the risk team changes at run time, each entry with a reason, an author and an optional expiry.
 */

/** What a list's values identify; `string` is a free list (MCCs, regions, channels, …). */
export const LIST_KINDS = ['account', 'device', 'merchant', 'terminal', 'ip', 'string'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/** What a list is for; rules decide what it does, the purpose documents the intent and guards misuse. */
export const LIST_PURPOSES = ['block', 'allow', 'watch'] as const;
export type ListPurpose = (typeof LIST_PURPOSES)[number];

/** A list's name: lowercase letters, digits and `_`, starting with a letter, at most 64 characters. */
export { LIST_NAME_RE } from '../rules/policy-types.js';
/** Longest value, as the contract's ids. */
export const MAX_VALUE_LENGTH = 128;
/** Longest reason or description. */
export const MAX_TEXT_LENGTH = 500;
/** Longest author (an API key id, a user name). */
export const MAX_AUTHOR_LENGTH = 128;

/** A list's definition. */
export interface ListDef {
  readonly name: string;
  readonly kind: ListKind;
  readonly purpose: ListPurpose;
  readonly description: string;
}

/** A list as stored: its definition, who made it and when, and whether it is one of the defaults. */
export interface ListInfo extends ListDef {
  readonly createdBy: string;
  /** wall-clock epoch ms. */
  readonly createdAt: number;
  /** a default list always exists and cannot be deleted. */
  readonly builtin: boolean;
}

/** One value on a list. */
export interface ListEntry {
  readonly value: string;
  /** why it is there; never empty. */
  readonly reason: string;
  /** who put it there (the API key id or CLI user). */
  readonly author: string;
  /** wall-clock epoch ms when it was added (or last replaced). */
  readonly addedAt: number;
  /** epoch ms from which the entry reads as absent (compared with the payment's event time); null = never. */
  readonly expiresAt: number | null;
}

/** A page of entries, ordered by value; `next` is the cursor of the following page, null at the end. */
export interface EntryPage {
  readonly entries: readonly ListEntry[];
  readonly next: string | null;
}

/** Paging of entries: values after `after` (exclusive), at most `limit` of them. */
export interface PageRequest {
  readonly after?: string;
  readonly limit?: number;
}

/** Default and largest page sizes. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/** What a change did, for the audit log: who, what, on which list or entry, and the state before and after. */
export interface ListChange {
  /** the API key id or CLI user that made the change. */
  readonly actor: string;
  readonly action: 'list.create' | 'list.delete' | 'list.entry.add' | 'list.entry.remove';
  /** `lists/<name>` or `lists/<name>/<value>`. */
  readonly target: string;
  readonly before: ListInfo | ListEntry | null;
  readonly after: ListInfo | ListEntry | null;
}

/** The author of the default lists. */
export const SYSTEM_AUTHOR = 'system';

/** Lists that always exist, so the default policy can name them. */
export const DEFAULT_LISTS: readonly ListDef[] = Object.freeze([
  { name: 'block_accounts', kind: 'account', purpose: 'block', description: 'Accounts whose payments are declined' },
  { name: 'block_devices', kind: 'device', purpose: 'block', description: 'Payer devices whose payments are declined' },
  { name: 'block_merchants', kind: 'merchant', purpose: 'block', description: 'Merchants whose payments are declined, by the code carried or the terminal’s own merchant' },
  { name: 'block_terminals', kind: 'terminal', purpose: 'block', description: 'Terminals whose payments are declined' },
  { name: 'block_ips', kind: 'ip', purpose: 'block', description: 'Payer IP addresses whose payments are declined' },
  { name: 'allow_accounts', kind: 'account', purpose: 'allow', description: 'Trusted accounts: review and challenge become approve; a decline stays a decline' },
  { name: 'watch_accounts', kind: 'account', purpose: 'watch', description: 'Accounts under investigation: their payments are approved and queued for review' },
  { name: 'watch_merchants', kind: 'merchant', purpose: 'watch', description: 'Merchants under investigation: their payments are approved and queued for review' },
] satisfies ListDef[]);

/** Which kind of list a builtin string feature can be checked against; any other feature goes with `string` lists only. */
const FEATURE_KIND: Readonly<Record<string, ListKind>> = {
  account: 'account',
  device: 'device',
  merchant: 'merchant',
  terminal_merchant: 'merchant',
  terminal: 'terminal',
  ip: 'ip',
};

/** The list kind a feature's values are, or `string` for anything else (mcc, region, channel, …). */
export function featureKind(feature: string): ListKind {
  return Object.hasOwn(FEATURE_KIND, feature) ? FEATURE_KIND[feature] : 'string';
}

/** True when a rule may check values of `feature` against a list of `kind`: same entity, or a free `string` list. */
export function kindAccepts(kind: ListKind, feature: string): boolean {
  return kind === 'string' || featureKind(feature) === kind;
}

/** The audit target of a list or of one of its entries. */
export function listTarget(list: string, value?: string): string {
  return value === undefined ? `lists/${list}` : `lists/${list}/${value}`;
}
