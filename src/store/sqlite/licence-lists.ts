/**
 * The imports of the central bank's licensed-institutions list (merchants/licence-list.ts) on the
 * data folder's SQLite file: when, from which list, by whom, with what effect — the merchant view
 * shows the latest list's date beside each acquirer.
 */
import type { Database, Statement } from 'better-sqlite3';

const DDL = `
CREATE TABLE IF NOT EXISTS licence_lists (
  id          INTEGER PRIMARY KEY,
  as_of       TEXT    NOT NULL,
  source      TEXT    NOT NULL,
  imported_at INTEGER NOT NULL,
  imported_by TEXT    NOT NULL,
  licensed    INTEGER NOT NULL,
  unlicensed  INTEGER NOT NULL,
  unmatched   INTEGER NOT NULL
) STRICT;
`;

/** One import as kept. */
export interface LicenceListImport {
  readonly id: number;
  readonly asOf: string;
  readonly source: string;
  readonly importedAt: number;
  readonly importedBy: string;
  readonly licensed: number;
  readonly unlicensed: number;
  readonly unmatched: number;
}

/** The data folder's licence-list imports. */
export class SqliteLicenceLists {
  private readonly s: { insert: Statement; latest: Statement };

  constructor(db: Database) {
    db.exec(DDL);
    this.s = {
      insert: db.prepare('INSERT INTO licence_lists (as_of, source, imported_at, imported_by, licensed, unlicensed, unmatched) VALUES (@asOf, @source, @importedAt, @importedBy, @licensed, @unlicensed, @unmatched)'),
      latest: db.prepare('SELECT id, as_of AS asOf, source, imported_at AS importedAt, imported_by AS importedBy, licensed, unlicensed, unmatched FROM licence_lists ORDER BY id DESC LIMIT 1'),
    };
  }

  /** Keeps an import; returns it with its id. */
  add(i: Omit<LicenceListImport, 'id'>): LicenceListImport {
    return { ...i, id: Number(this.s.insert.run(i).lastInsertRowid) };
  }

  /** The latest import, if any. */
  latest(): LicenceListImport | undefined {
    return this.s.latest.get() as LicenceListImport | undefined;
  }
}
