/**
 * Worker-thread entry of a journal report (started by worker-runner.ts): opens its own read-only
 * view of the data folder through the adapter in its data (this file imports none), runs the job,
 * posts progress, then the result or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { importAdapter } from '../io/adapter-ref.js';
import { describeError } from '../io/worker-job.js';
import { runRulePerformance, type ScanProgress } from '../policy/rule-performance.js';
import { runRiskReport } from './risk-report.js';
import type { ReportAdapter, ReportWorkerData, ReportWorkerReply } from './worker-runner.js';

const port = parentPort;
if (port === null) throw new Error('report worker-main.js must run as a worker thread');

const post = (m: ReportWorkerReply): void => port.postMessage(m);

async function run(data: ReportWorkerData): Promise<void> {
  const adapter = await importAdapter<ReportAdapter>(data.adapter, ['openReportSource']);
  const source = adapter.openReportSource(data.adapter.dataDir);
  try {
    const onProgress = (progress: ScanProgress): void => post({ kind: 'progress', progress });
    const job = data.job;
    const result =
      job.kind === 'rule-performance'
        ? runRulePerformance({ ...job.options, journal: source.journal, onProgress })
        : runRiskReport({ ...job.options, journal: source.journal, cases: source.cases, onProgress });
    post({ kind: 'done', result });
  } finally {
    source.close();
  }
}

try {
  await run(workerData as ReportWorkerData);
} catch (e) {
  post(describeError(e));
}
