/**
 * Worker-thread entry of a backtest (started by backtest-in-worker.ts): opens its own read-only
 * view of the data folder through the adapter in its data (WAL-style: it reads a snapshot while the
 * server goes on committing), compiles the draft from its sources here (functions never cross
 * threads), runs the backtest and posts progress, then the report or the error. Messages:
 * backtest-in-worker.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BUILTINS } from '../features/catalog.js';
import { importAdapter } from '../io/adapter-ref.js';
import { describeError } from '../io/worker-job.js';
import { modelFromText } from '../model/model-file.js';
import { compilePolicy } from '../rules/compile.js';
import { runBacktest } from './backtest.js';
import type { BacktestAdapter, BacktestWorkerData, BacktestWorkerReply } from './backtest-in-worker.js';

const port = parentPort;
if (port === null) throw new Error('backtest-worker.js must run as a worker thread');

const post = (m: BacktestWorkerReply): void => port.postMessage(m);

async function run(data: BacktestWorkerData): Promise<void> {
  const draft = compilePolicy(data.sources, BUILTINS, data.policyName);
  const model = data.modelText === undefined ? undefined : modelFromText(data.modelText);
  const adapter = await importAdapter<BacktestAdapter>(data.adapter, ['openBacktestSource']);
  const source = adapter.openBacktestSource(data.adapter.dataDir);
  try {
    const report = runBacktest({
      ...data.options,
      journal: source.journal,
      draft,
      model,
      actions: (engine) => source.actions(engine),
      lists: source.lists,
      onProgress: (progress) => post({ kind: 'progress', progress }),
    });
    post({ kind: 'done', result: report });
  } finally {
    source.close();
  }
}

try {
  await run(workerData as BacktestWorkerData);
} catch (e) {
  post(describeError(e));
}
