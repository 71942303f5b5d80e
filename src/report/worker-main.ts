/**
 * Worker-thread entry of a journal report (started by worker-runner.ts): opens its own read-only
 * connection to the store's SQLite file, runs the job, posts progress, then the result or the error.
 */
import { basename, dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '../errors.js';
import { describeError } from '../io/worker-job.js';
import { runRulePerformance, type ScanProgress } from '../policy/rule-performance.js';
import { DB_FILE } from '../store/sqlite/schema.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { runRiskReport } from './risk-report.js';
import type { ReportWorkerData, ReportWorkerReply } from './worker-runner.js';

const port = parentPort;
if (port === null) throw new Error('report worker-main.js must run as a worker thread');

const post = (m: ReportWorkerReply): void => port.postMessage(m);

function run(data: ReportWorkerData): void {
  if (basename(data.dbFile) !== DB_FILE) throw new ConfigError(`${data.dbFile} is not a fengkong store file (${DB_FILE})`);
  const store = new SqliteStore(dirname(data.dbFile), { readonly: true });
  try {
    const onProgress = (progress: ScanProgress): void => post({ kind: 'progress', progress });
    const job = data.job;
    const result =
      job.kind === 'rule-performance'
        ? runRulePerformance({ ...job.options, journal: store, onProgress })
        : runRiskReport({ ...job.options, journal: store, database: store.database, onProgress });
    post({ kind: 'done', result });
  } finally {
    store.close();
  }
}

try {
  run(workerData as ReportWorkerData);
} catch (e) {
  post(describeError(e));
}
