// The SQLite policy store: the shared PolicyStore contract on the data folder's file, with the
// audit log on the same connection.
import { SqlitePolicyStore } from '../../../src/store/sqlite/policies.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { policiesContract } from '../contract/policies.js';
import { sqliteHarness } from './harness.js';

policiesContract('SqlitePolicyStore', sqliteHarness('policies', (dataDir) => {
  const store = new SqliteStore(dataDir);
  return { port: { policies: new SqlitePolicyStore(store.database), audit: store.audit }, close: () => store.close() };
}));
