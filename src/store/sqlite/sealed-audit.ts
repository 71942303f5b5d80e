/**
 * The audit log as the SQLite adapter hands it out: for changes whose before/after can hold
 * personal data — account actions and appeals (reasons, appeal texts), cases (notes, evidence),
 * merchant actions (reasons) — `before` and `after` are stored sealed and opened again on read.
 * Only what is recorded changes; the audit store itself (audit.ts) is untouched. List entry
 * changes are sealed by the list adapter before they reach the log (lists.ts, forAudit).
 */
import type { AuditEntry, AuditHead, AuditLog, AuditQuery, AuditRecord } from '../../audit/log.js';
import { isSealedSnapshot, sealsSnapshots } from '../../audit/sealed-snapshots.js';
import type { Crypt } from './crypt.js';

/** An AuditLog that seals the personal parts of what it records (see the module comment). */
export class SealingAuditLog implements AuditLog<'sync'> {
  constructor(private readonly inner: AuditLog<'sync'>, private readonly crypt: Crypt) {}

  /** Records `record`, its before/after sealed when its action is a personal one. */
  append(record: AuditRecord): AuditEntry {
    if (!this.crypt.sealing || !sealsSnapshots(record.action)) return this.inner.append(record);
    const seal = (v: unknown): unknown => (v === undefined || v === null ? v : { sealed: this.crypt.sealText(JSON.stringify(v)) });
    const stored = this.inner.append({ ...record, before: seal(record.before), after: seal(record.after) });
    return { ...stored, before: record.before ?? null, after: record.after ?? null };
  }

  /** The chain's newest entry (its hash is over the entry as stored, sealed parts sealed). */
  head(): AuditHead {
    return this.inner.head();
  }

  /**
   * Every entry as stored, oldest first — sealed parts left sealed: the hash chain is over what is
   * stored, so `fengkong audit verify` checks it without opening anything (or needing the master key's data keys).
   */
  forEachEntry(cb: (entry: AuditEntry) => boolean | void): void {
    this.inner.forEachEntry(cb);
  }

  /** Entries as recorded, sealed parts opened. */
  list(q?: AuditQuery): AuditEntry[] {
    const open = (v: unknown): unknown => (isSealedSnapshot(v) ? (JSON.parse(this.crypt.openText(v.sealed)) as unknown) : v);
    return this.inner.list(q).map((e) => ({ ...e, before: open(e.before), after: open(e.after) }));
  }
}
