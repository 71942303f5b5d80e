/**
 * The one-time sealing of rows written in clear before encryption at rest: on each writable open,
 * every personal column of a table not yet marked in `crypt_sealed` is sealed in place (the
 * journal in batches of JOURNAL_BATCH with a progress line on stderr), then the table is marked
 * and, if anything was rewritten, the file is VACUUMed so no clear page survives (secure_delete
 * zeroes freed pages as they are freed, VACUUM rewrites the rest). List values are migrated by the
 * list adapter (they need a token column), see lists.ts.
 */
import type { Database } from 'better-sqlite3';
import { SEALED_MARK } from '../../crypto/index.js';
import type { Crypt } from './crypt.js';

/** Journal rows sealed per transaction: short, so a start shows progress and readers never wait long. */
const JOURNAL_BATCH = 20_000;

/** Personal columns by table (rowid tables); each sealed where it does not already start with SEALED_MARK. */
const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  account_appeals: ['text'],
  account_actions: ['reason'],
  merchant_actions: ['reason', 'release_reason'],
  case_items: ['note', 'detail'],
  case_notes: ['text'],
};

/** account_actions is append-only by trigger; the migration lifts it for its one UPDATE and puts it back. */
const ACTIONS_TRIGGER = `CREATE TRIGGER IF NOT EXISTS account_actions_no_update BEFORE UPDATE ON account_actions
BEGIN SELECT RAISE(ABORT, 'account actions are append-only'); END;`;

function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Seals what older versions left in clear; returns the rows rewritten. Cheap once every table is marked. */
export function sealLegacyRows(db: Database, crypt: Crypt): number {
  db.exec('CREATE TABLE IF NOT EXISTS crypt_sealed (tbl TEXT PRIMARY KEY) STRICT');
  const done = new Set((db.prepare('SELECT tbl FROM crypt_sealed').all() as { tbl: string }[]).map((r) => r.tbl));
  const mark = db.prepare('INSERT OR IGNORE INTO crypt_sealed (tbl) VALUES (?)');
  const notSealed = `substr(%, 1, ${SEALED_MARK.length}) != '${SEALED_MARK}'`;
  let rewritten = 0;
  if (!done.has('journal')) rewritten += sealJournal(db, crypt, notSealed.replace('%', 'event'));
  mark.run('journal');
  for (const [table, cols] of Object.entries(COLUMNS)) {
    if (done.has(table) || !hasTable(db, table)) continue;
    db.transaction(() => {
      if (table === 'account_actions') db.exec('DROP TRIGGER IF EXISTS account_actions_no_update');
      for (const col of cols) {
        const rows = db.prepare(`SELECT rowid AS id, ${col} AS v FROM ${table} WHERE ${col} IS NOT NULL AND ${notSealed.replace('%', col)}`).all() as { id: number; v: string }[];
        const up = db.prepare(`UPDATE ${table} SET ${col} = ? WHERE rowid = ?`);
        for (const r of rows) up.run(crypt.sealText(r.v), r.id);
        rewritten += rows.length;
      }
      if (table === 'account_actions') db.exec(ACTIONS_TRIGGER);
      mark.run(table);
    }).immediate();
  }
  if (rewritten > 0) {
    process.stderr.write(`fengkong: sealed ${rewritten} rows written in clear by an older version; compacting the file\n`);
    db.exec('VACUUM');
  }
  return rewritten;
}

function sealJournal(db: Database, crypt: Crypt, notSealed: string): number {
  const max = (db.prepare('SELECT max(seq) AS m FROM journal').get() as { m: number | null }).m ?? 0;
  if (max === 0) return 0;
  const pick = db.prepare(`SELECT seq, event FROM journal WHERE seq >= ? AND seq < ? AND ${notSealed}`);
  const up = db.prepare('UPDATE journal SET event = ? WHERE seq = ?');
  let n = 0;
  for (let from = 1; from <= max; from += JOURNAL_BATCH) {
    n += db.transaction(() => {
      const rows = pick.all(from, from + JOURNAL_BATCH) as { seq: number; event: string }[];
      for (const r of rows) up.run(crypt.sealText(r.event), r.seq);
      return rows.length;
    }).immediate();
    if (n > 0) process.stderr.write(`fengkong: sealing the journal: ${Math.min(from + JOURNAL_BATCH - 1, max)}/${max} entries\n`);
  }
  return n;
}
