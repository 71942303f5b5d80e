// The SQLite merchant action store: the shared MerchantActionStore contract on the data folder's
// file, with the audit log on the same connection.
import { SqliteMerchantStore } from '../../../src/store/sqlite/merchants.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { merchantActionsContract } from '../contract/merchant-actions.js';
import { sqliteHarness } from './harness.js';

merchantActionsContract('SqliteMerchantStore', sqliteHarness('merchants', (dataDir) => {
  const store = new SqliteStore(dataDir);
  return { port: { merchants: new SqliteMerchantStore(store.database), audit: store.audit }, close: () => store.close() };
}));
