// The SQLite account stores: the shared AccountStore contract on the data folder's file (audit log
// and journal on the same connection), and the payment index contract on account-index.db.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openTxIndexReader, openTxIndexWriter, SqliteAccountStore, TX_INDEX_FILE } from '../../../src/store/sqlite/accounts.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { accountActionsContract } from '../contract/account-actions.js';
import { txIndexContract } from '../contract/tx-index.js';
import { sqliteHarness } from './harness.js';

accountActionsContract('SqliteAccountStore', sqliteHarness('accounts', (dataDir) => {
  const store = new SqliteStore(dataDir);
  return { port: { accounts: new SqliteAccountStore(store.database), audit: store.audit, journal: store }, close: () => store.close() };
}));

txIndexContract('SqliteTxIndexReader/Writer', sqliteHarness('tx-index', (dataDir) => {
  const journal = new SqliteStore(dataDir);
  const reader = openTxIndexReader(dataDir);
  const writer = openTxIndexWriter(dataDir);
  return {
    port: { journal, reader, writer },
    close: () => {
      writer.close();
      reader.close();
      journal.close();
    },
  };
}));

// An index file written before merchant_tx existed (user_version 0) covers no merchant: opening it
// empties it, so the writer indexes both tables again from the journal's start.
test('an index file of the older layout is indexed again from the start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-txindex-'));
  try {
    const old = new BetterSqlite3(join(dir, TX_INDEX_FILE));
    old.exec(`CREATE TABLE account_tx (account_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (account_id, seq)) STRICT, WITHOUT ROWID;
      CREATE TABLE account_tx_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_seq INTEGER NOT NULL, origin TEXT NOT NULL) STRICT;
      INSERT INTO account_tx VALUES ('A1', 7); INSERT INTO account_tx_state VALUES (1, 7, 'transaction:1');`);
    old.close();
    const reader = openTxIndexReader(dir);
    assert.equal(reader.indexedSeq(), 0);
    assert.deepEqual(reader.page('A1', 100, 10), []);
    reader.close();
    const again = openTxIndexReader(dir);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
