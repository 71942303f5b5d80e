// The SQLite account stores: the shared AccountStore contract on the data folder's file (audit log
// and journal on the same connection), and the payment index contract on account-index.db.
import { openTxIndexReader, openTxIndexWriter, SqliteAccountStore } from '../../../src/store/sqlite/accounts.js';
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
