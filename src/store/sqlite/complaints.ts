/**
 * Complaints on the data folder's SQLite file, on the store's own connection (the audit log's too,
 * so a complaint commits with its audit entry). The customer's words are sealed; the complainant's
 * device and IP are kept as keyed tokens (what the patterns group by), never in clear.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Complaint, ComplaintStore, ComplaintSubject } from '../../complaints/types.js';
import { cryptOf, type Crypt } from './crypt.js';

const DDL = `
CREATE TABLE IF NOT EXISTS complaints (
  id            INTEGER PRIMARY KEY,
  subject_kind  TEXT    NOT NULL CHECK (subject_kind IN ('account', 'merchant')),
  subject_id    TEXT    NOT NULL,
  text          TEXT    NOT NULL,
  tx_id         TEXT,
  by_account    TEXT,
  by_device     TEXT,
  by_ip         TEXT,
  author        TEXT    NOT NULL,
  at            INTEGER NOT NULL,
  case_id       TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS complaints_subject ON complaints (subject_kind, subject_id, id);
CREATE INDEX IF NOT EXISTS complaints_at ON complaints (at);
`;

interface Row {
  id: number;
  subject_kind: string;
  subject_id: string;
  text: string;
  tx_id: string | null;
  by_account: string | null;
  by_device: string | null;
  by_ip: string | null;
  author: string;
  at: number;
  case_id: string | null;
}

/** The data folder's complaints. */
export class SqliteComplaintStore implements ComplaintStore {
  private readonly crypt: Crypt;
  private readonly s: { insert: Statement; setCase: Statement; of: Statement; since: Statement };

  constructor(db: Database) {
    db.exec(DDL);
    this.crypt = cryptOf(db);
    this.s = {
      insert: db.prepare(
        'INSERT INTO complaints (subject_kind, subject_id, text, tx_id, by_account, by_device, by_ip, author, at, case_id) VALUES (@kind, @subject, @text, @txId, @account, @device, @ip, @author, @at, @caseId)',
      ),
      setCase: db.prepare('UPDATE complaints SET case_id = @caseId WHERE id = @id'),
      of: db.prepare('SELECT * FROM complaints WHERE subject_kind = @kind AND subject_id = @subject ORDER BY id DESC LIMIT @limit'),
      since: db.prepare("SELECT subject_id, by_device, by_ip FROM complaints WHERE subject_kind = 'merchant' AND at >= @since"),
    };
  }

  tokens(deviceId: string | null, ip: string | null): { device: string | null; ip: string | null } {
    return { device: deviceId === null ? null : this.crypt.token('device', deviceId), ip: ip === null ? null : this.crypt.token('ip', ip) };
  }

  add(c: Omit<Complaint, 'id'>): Complaint {
    const t = this.tokens(c.complainant.deviceId, c.complainant.ip);
    const r = this.s.insert.run({
      kind: c.subjectKind,
      subject: c.subjectId,
      text: this.crypt.sealText(c.text),
      txId: c.txId,
      account: c.complainant.accountId,
      device: t.device,
      ip: t.ip,
      author: c.author,
      at: c.at,
      caseId: c.caseId,
    });
    return { ...c, id: Number(r.lastInsertRowid) };
  }

  /** Records the case a complaint opened or joined (in the transaction that stored it). */
  setCase(id: number, caseId: string): void {
    this.s.setCase.run({ id, caseId });
  }

  of(kind: ComplaintSubject, subjectId: string, limit: number): Complaint[] {
    return (this.s.of.all({ kind, subject: subjectId, limit }) as Row[]).map((r) => ({
      id: r.id,
      subjectKind: r.subject_kind as ComplaintSubject,
      subjectId: r.subject_id,
      text: this.crypt.openText(r.text),
      txId: r.tx_id,
      // device and IP are kept as tokens only: the list shows the tokens
      complainant: { accountId: r.by_account, deviceId: r.by_device, ip: r.by_ip },
      author: r.author,
      at: r.at,
      caseId: r.case_id,
    }));
  }

  merchantComplaintsSince(since: number): { merchantId: string; device: string | null; ip: string | null }[] {
    return (this.s.since.all({ since }) as { subject_id: string; by_device: string | null; by_ip: string | null }[]).map((r) => ({ merchantId: r.subject_id, device: r.by_device, ip: r.by_ip }));
  }
}
