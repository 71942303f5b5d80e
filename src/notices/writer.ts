/**
 * Writes customer notices as the audit log calls for them (notices/from-audit.ts): every `pollMs`
 * it reads the entries after its cursor, renders each due notice from the templates in use (both
 * languages), and stores the notices with an audit entry each (`notice.issue`, which webhooks deliver
 * as `customer.notice`) and its new cursor in one transaction — at least once across restarts,
 * never twice (a notice is unique per audit entry and kind). It never waits for the write lock: when
 * another connection holds it, the next poll tries again.
 */
import type { AuditEntry, AuditRecord } from '../audit/log.js';
import { noticesOfAudit, untilText } from './from-audit.js';
import type { NoticeStore } from './store.js';
import { NOTICE_LANGS, render } from './templates.js';

/** The actor of the audit entries it writes. */
export const NOTICES_ACTOR = 'system:notices';
/** Its cursor among the followers' cursors. */
const CURSOR = 'customer_notices';
/** Audit entries read per step. */
const PAGE = 500;

/** What the writer needs. */
export interface NoticeWriterDeps {
  readonly list: (q: { after: number; limit: number }) => AuditEntry[];
  readonly lastSeq: () => number;
  readonly append: (r: AuditRecord) => void;
  readonly store: NoticeStore;
  readonly cursors: { seqOf(name: string): number | null; advance(name: string, seq: number): void; tryAdvance(name: string, seq: number): boolean; tryTransaction(fn: () => void): boolean };
  readonly now?: () => number;
}

/** The writer; `step` runs one poll (the module calls it on a timer). */
export class NoticeWriter {
  private cursor: number;
  private readonly now: () => number;

  constructor(private readonly d: NoticeWriterDeps) {
    this.now = d.now ?? Date.now;
    const c = d.cursors.seqOf(CURSOR);
    if (c === null) {
      // a data folder new to notices: what happened before is not told now
      this.cursor = d.lastSeq();
      d.cursors.advance(CURSOR, this.cursor);
    } else this.cursor = c;
  }

  /** Reads what was audited since the last step and writes the notices due; returns how many. */
  step(): number {
    let written = 0;
    for (;;) {
      const entries = this.d.list({ after: this.cursor, limit: PAGE });
      if (entries.length === 0) return written;
      const last = entries[entries.length - 1].seq;
      const due = entries.flatMap((e) => noticesOfAudit(e).map((n) => ({ e, n })));
      if (due.length === 0) {
        this.d.cursors.tryAdvance(CURSOR, last);
        this.cursor = last;
      } else {
        const { version, templates } = this.d.store.current();
        let made = 0;
        const ok = this.d.cursors.tryTransaction(() => {
          made = 0;
          const at = this.now();
          for (const { e, n } of due) {
            const template = templates[n.kind];
            const text = { 'zh-CN': '', en: '' };
            for (const lang of NOTICE_LANGS) text[lang] = render(template[lang], { ...n.values, until: untilText(n.until, lang) });
            const notice = { accountId: n.accountId, kind: n.kind, text, templateVersion: version, auditSeq: e.seq, createdAt: at };
            if (!this.d.store.add(notice)) continue;
            this.d.append({ actor: NOTICES_ACTOR, action: 'notice.issue', target: `accounts/${n.accountId}`, before: null, after: notice });
            made++;
          }
          this.d.cursors.advance(CURSOR, last);
        });
        if (!ok) return written; // another writer holds the lock: the next poll tries again
        written += made;
        this.cursor = last;
      }
      if (entries.length < PAGE) return written;
    }
  }
}
