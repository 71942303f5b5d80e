/**
 * Worker-thread entry of a backtest (started by backtest-in-worker.ts): opens its own read-only
 * connection to the store's SQLite file (WAL: it reads a snapshot while the server goes on
 * committing), compiles the draft from its sources here (functions never cross threads), runs the
 * backtest and posts progress, then the report or the error. Messages: backtest-in-worker.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { basename, dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { BUILTINS } from '../features/catalog.js';
import { storeActionSteps, storeLists } from '../wiring/side-inputs.js';
import { describeError } from '../io/worker-job.js';
import { modelFromText } from '../model/model-file.js';
import { compilePolicy } from '../rules/compile.js';
import { DB_FILE } from '../store/sqlite/schema.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { runBacktest } from './backtest.js';
import type { BacktestWorkerData, BacktestWorkerReply } from './backtest-in-worker.js';

const port = parentPort;
if (port === null) throw new Error('backtest-worker.js must run as a worker thread');

const post = (m: BacktestWorkerReply): void => port.postMessage(m);

function run(data: BacktestWorkerData): void {
  if (basename(data.dbFile) !== DB_FILE) throw new ConfigError(`${data.dbFile} is not a fengkong store file (${DB_FILE})`);
  const draft = compilePolicy(data.sources, BUILTINS, data.policyName);
  const model = data.modelText === undefined ? undefined : modelFromText(data.modelText);
  const store = new SqliteStore(dirname(data.dbFile), { readonly: true });
  try {
    const report = runBacktest({
      ...data.options,
      journal: store,
      draft,
      model,
      actions: (engine) => storeActionSteps(store.database, engine),
      lists: storeLists(store.database),
      onProgress: (progress) => post({ kind: 'progress', progress }),
    });
    post({ kind: 'done', result: report });
  } finally {
    store.close();
  }
}

try {
  run(workerData as BacktestWorkerData);
} catch (e) {
  post(describeError(e));
}
