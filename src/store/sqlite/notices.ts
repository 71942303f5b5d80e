/**
 * Customer notices and their templates on the data folder's SQLite file, on the store's own
 * connection (the audit log's too, so a notice commits with its audit entry). Templates are kept as
 * versions, never changed in place; version 0 is the built-in set (notices/templates.ts). A notice
 * is unique per audit entry and kind, so the writer writing a page again writes nothing twice.
 */
import type { Database, Statement } from 'better-sqlite3';
import { DEFAULT_TEMPLATES, type NoticeKind, type NoticeTemplates } from '../../notices/templates.js';
import type { CustomerNotice, NoticeStore, TemplateVersion } from '../../notices/store.js';
import { cryptOf, type Crypt } from './crypt.js';

const DDL = `
CREATE TABLE IF NOT EXISTS notice_templates (
  version    INTEGER PRIMARY KEY,
  templates  TEXT    NOT NULL,
  created_by TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  note       TEXT    NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS customer_notices (
  id               INTEGER PRIMARY KEY,
  account_id       TEXT    NOT NULL,
  kind             TEXT    NOT NULL,
  text_zh          TEXT    NOT NULL,
  text_en          TEXT    NOT NULL,
  template_version INTEGER NOT NULL,
  audit_seq        INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  UNIQUE (audit_seq, kind)
) STRICT;
CREATE INDEX IF NOT EXISTS customer_notices_account ON customer_notices (account_id, id);
`;

interface NoticeRow {
  id: number;
  account_id: string;
  kind: string;
  text_zh: string;
  text_en: string;
  template_version: number;
  audit_seq: number;
  created_at: number;
}

/** Notices and templates of one data folder. */
export class SqliteNoticeStore implements NoticeStore {
  private readonly crypt: Crypt;
  private readonly s: {
    latest: Statement;
    versions: Statement;
    insertVersion: Statement;
    insertNotice: Statement;
    of: Statement;
  };

  constructor(db: Database) {
    db.exec(DDL);
    this.crypt = cryptOf(db);
    this.s = {
      latest: db.prepare('SELECT version, templates FROM notice_templates ORDER BY version DESC LIMIT 1'),
      versions: db.prepare('SELECT version, created_by AS createdBy, created_at AS createdAt, note FROM notice_templates ORDER BY version DESC LIMIT 100'),
      insertVersion: db.prepare('INSERT INTO notice_templates (version, templates, created_by, created_at, note) VALUES (@version, @templates, @by, @at, @note)'),
      insertNotice: db.prepare(
        'INSERT INTO customer_notices (account_id, kind, text_zh, text_en, template_version, audit_seq, created_at) VALUES (@accountId, @kind, @zh, @en, @version, @auditSeq, @at) ON CONFLICT (audit_seq, kind) DO NOTHING',
      ),
      of: db.prepare('SELECT * FROM customer_notices WHERE account_id = @accountId ORDER BY id DESC LIMIT @limit'),
    };
  }

  /** The templates in use and their version (0: the built-in set). */
  current(): { version: number; templates: NoticeTemplates } {
    const r = this.s.latest.get() as { version: number; templates: string } | undefined;
    return r === undefined ? { version: 0, templates: DEFAULT_TEMPLATES } : { version: r.version, templates: JSON.parse(r.templates) as NoticeTemplates };
  }

  /** The stored versions, newest first. */
  versions(): TemplateVersion[] {
    return this.s.versions.all() as TemplateVersion[];
  }

  /** Stores `templates` as the next version; returns it. Call inside the transaction that audits it. */
  addVersion(templates: NoticeTemplates, by: string, at: number, note: string): TemplateVersion {
    const version = this.current().version + 1;
    this.s.insertVersion.run({ version, templates: JSON.stringify(templates), by, at, note });
    return { version, createdBy: by, createdAt: at, note };
  }

  /** Stores a notice (nothing when the same audit entry and kind made one already); true when new. */
  add(n: Omit<CustomerNotice, 'id'>): boolean {
    const r = this.s.insertNotice.run({
      accountId: n.accountId,
      kind: n.kind,
      zh: this.crypt.sealText(n.text['zh-CN']),
      en: this.crypt.sealText(n.text.en),
      version: n.templateVersion,
      auditSeq: n.auditSeq,
      at: n.createdAt,
    });
    return r.changes > 0;
  }

  /** An account's latest notices, newest first. */
  of(accountId: string, limit: number): CustomerNotice[] {
    return (this.s.of.all({ accountId, limit }) as NoticeRow[]).map((r) => ({
      id: r.id,
      accountId: r.account_id,
      kind: r.kind as NoticeKind,
      text: { 'zh-CN': this.crypt.openText(r.text_zh), en: this.crypt.openText(r.text_en) },
      templateVersion: r.template_version,
      auditSeq: r.audit_seq,
      createdAt: r.created_at,
    }));
  }
}
