/**
 * `fengkong keys` on a data folder: the KeyBook of its SQLite store, each change and its audit
 * record in one IMMEDIATE transaction (so a server writing the same file waits, and a failed record
 * leaves the key as it was). The embedded default: loads no scale-out client.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { rotateDataKey, setEncryption } from '../store/sqlite/crypt.js';
import { dbPath, SqliteStore } from '../store/sqlite/sqlite-store.js';
import { changeRecord, createRecord, type KeyBook } from './key-book.js';

/**
 * Opens the keys of data folder `dataDir`. For `rotate-data` (`forRotation`) the folder must exist
 * already (a UsageError naming it otherwise, with `usage`) and `masterKeyFile`, when given, is
 * recorded as the folder's master key file before the store opens.
 */
export function openSqliteKeyBook(dataDir: string, opts: { forRotation?: boolean; masterKeyFile?: string; usage: string }): KeyBook {
  if (opts.forRotation === true) {
    if (opts.masterKeyFile !== undefined) setEncryption(dataDir, { masterKeyFile: opts.masterKeyFile });
    if (!existsSync(dbPath(dataDir))) throw new UsageError(`no data folder at ${dataDir} (no ${dbPath(dataDir)})\nusage: ${opts.usage}`);
  }
  const store = new SqliteStore(dataDir);
  const db = store.database;
  return {
    where: dataDir,
    readers: 'a server running on this folder',
    rotationNote: 'a server running on this folder seals with it within a few seconds; older data keys still open what they sealed',
    create: async (hash, role, options, actor) =>
      db.transaction(() => {
        const stored = store.createKey(hash, role, options);
        store.audit.append(createRecord(actor, stored));
        return stored;
      }).immediate(),
    list: async () => store.listKeys(),
    rate: async (id, rate, actor) => {
      const before = store.resolveKey(id);
      return db.transaction(() => {
        const after = store.setKeyRate(before.hash, rate);
        store.audit.append(changeRecord(actor, 'key.rate', before, after));
        return after;
      }).immediate();
    },
    revoke: async (id, actor, reason) => {
      const before = store.resolveKey(id);
      return db.transaction(() => {
        const after = store.revokeKey(before.hash, actor, reason);
        store.audit.append(changeRecord(actor, 'key.revoke', before, after));
        return after;
      }).immediate();
    },
    rotateData: async () => rotateDataKey(dataDir, db),
    close: async () => store.close(),
  };
}
