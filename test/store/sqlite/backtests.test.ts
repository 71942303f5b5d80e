// The SQLite backtest store: the shared BacktestStore contract on the data folder's file.
import { SqliteBacktestStore } from '../../../src/store/sqlite/backtests.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { backtestsContract } from '../contract/backtests.js';
import { sqliteHarness } from './harness.js';

backtestsContract('SqliteBacktestStore', sqliteHarness('backtests', (dataDir) => {
  const store = new SqliteStore(dataDir);
  return { port: new SqliteBacktestStore(store.database), close: () => store.close() };
}));
