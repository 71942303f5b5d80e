// The SQLite case store: the shared CaseStore contract on the data folder's file, with the audit
// log on the same connection.
import { SqliteCaseStore } from '../../../src/store/sqlite/cases.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { casesContract } from '../contract/cases.js';
import { sqliteHarness } from './harness.js';

casesContract('SqliteCaseStore', sqliteHarness('cases', (dataDir) => {
  const store = new SqliteStore(dataDir);
  return { port: { cases: new SqliteCaseStore(store.database), audit: store.audit }, close: () => store.close() };
}));
