/**
 * The notices' port: template versions and the notices written, as the writer and the routes use
 * them (the data folder's adapter: store/sqlite/notices.ts).
 */
import type { NoticeKind, NoticeTemplates } from './templates.js';

/** A template version as listed. */
export interface TemplateVersion {
  readonly version: number;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly note: string;
}

/** A notice as stored and shown. */
export interface CustomerNotice {
  readonly id: number;
  readonly accountId: string;
  readonly kind: NoticeKind;
  readonly text: { readonly 'zh-CN': string; readonly en: string };
  readonly templateVersion: number;
  /** The audit entry that called for it. */
  readonly auditSeq: number;
  readonly createdAt: number;
}

/** Templates and notices (synchronous: an embedded database). */
export interface NoticeStore {
  /** The templates in use and their version (0: the built-in set). */
  current(): { version: number; templates: NoticeTemplates };
  /** The stored versions, newest first. */
  versions(): TemplateVersion[];
  /** Stores `templates` as the next version; call inside the transaction that audits it. */
  addVersion(templates: NoticeTemplates, by: string, at: number, note: string): TemplateVersion;
  /** Stores a notice (nothing when the same audit entry and kind made one already); true when new. */
  add(n: Omit<CustomerNotice, 'id'>): boolean;
  /** An account's latest notices, newest first. */
  of(accountId: string, limit: number): CustomerNotice[];
}
