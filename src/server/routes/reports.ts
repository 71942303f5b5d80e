/**
 * `GET /v1/reports/risk`: the risk assessment report (src/report/) over an event-time range of the
 * journal — volumes and outcomes over time, fraud caught and missed, money saved and legitimate
 * money declined, rule precision, score drift against the previous period, the riskiest merchants
 * and terminals, open cases. Made on a worker thread over a read-only connection, one report at a
 * time per server (the rule performance route shares the queue), so decisions keep their latency.
 */
import { ContractError } from '../../errors.js';
import { renderRiskReportHtml } from '../../report/html.js';
import { isReportLang } from '../../report/i18n.js';
import { addRatings } from '../../report/ratings.js';
import { bucketValue, checkBuckets, checkRange, defaultBucket, queryBound } from '../../report/range.js';
import { JobQueue, QueueClosedError, runReportInWorker, type ReportJob, type ReportResult } from '../../report/worker-runner.js';
import { sqliteWorkerAdapter } from '../../store/sqlite/worker-factory.js';
import { ApiError } from '../errors.js';
import type { ApiReply, ModuleFactory, ServerParts } from '../routes.js';
import { RiskReportQuery } from '../schemas/reports.js';
import { intParam } from './audit.js';

const QUEUES = new WeakMap<object, JobQueue>();

/**
 * The queue of journal reports of the server these parts belong to (risk reports and rule
 * performance): one worker at a time, a few waiting, everything cancelled on close.
 */
export function reportQueueFor(parts: ServerParts): JobQueue {
  let q = QUEUES.get(parts.store);
  if (q === undefined) {
    q = new JobQueue(8);
    QUEUES.set(parts.store, q);
  }
  return q;
}

/** Runs a report job through the server's queue; a cancelled one answers 503 shutting_down. */
export async function queuedReport<J extends ReportJob>(parts: ServerParts, job: J): Promise<ReportResult<J>> {
  try {
    return await reportQueueFor(parts).run((signal) => runReportInWorker(sqliteWorkerAdapter(parts.dataDir), job, { signal }));
  } catch (e) {
    if (e instanceof QueueClosedError) throw new ApiError('shutting_down', 'the server is shutting down; the report was cancelled', { headers: { 'retry-after': '1' } });
    throw e;
  }
}

/** The risk report route. */
export const reportsModule: ModuleFactory = (parts) => {
  const queue = reportQueueFor(parts);
  return {
    close: () => queue.close(),
    routes: [
      {
        method: 'GET',
        path: '/v1/reports/risk',
        permission: 'read',
        summary: 'The risk assessment report over [from, to): volumes, outcomes, fraud caught and missed, money, rule precision, score drift, riskiest merchants and terminals, open cases',
        description:
          'Query: from, to (required; epoch ms, an ISO 8601 timestamp with offset, or a date YYYY-MM-DD meaning midnight +08:00), ' +
          'bucket (hour|day|week; default hour up to 3 days, day up to 180, then week), top (1–100, default 10), ' +
          'minPayments (default 20: the fewest payments a merchant or terminal needs to rank by flagged share), ' +
          'format (json, default, or html: the self-contained printable report as text/html; also chosen by Accept: text/html), lang (en, default, or zh-CN: the HTML report in Chinese). ' +
          'Drift (PSI) is measured against the previous period of equal length. Fraud by the labels known now. ' +
          'The live engine\'s current merchant and terminal ratings (last 7 days of traffic) are added: `ratings`, and a `rating` on each top-list row.',
        querySchema: RiskReportQuery,
        async handle({ query, headers }): Promise<ApiReply> {
          const from = queryBound(query, 'from');
          const to = queryBound(query, 'to');
          if (from === undefined) throw new ContractError('from', 'the start of the period (a query parameter)');
          if (to === undefined) throw new ContractError('to', 'the end of the period (a query parameter)');
          checkRange(from, to);
          const b = query.get('bucket');
          const bucket = b === null ? defaultBucket(from, to) : bucketValue(b);
          checkBuckets(from, to, bucket);
          const accept = String(headers.accept ?? '');
          const format = query.get('format') ?? (accept.includes('text/html') && !accept.includes('application/json') ? 'html' : 'json');
          if (format !== 'json' && format !== 'html') throw new ContractError('format', 'json or html');
          const lang = query.get('lang') ?? 'en';
          if (!isReportLang(lang)) throw new ContractError('lang', 'en or zh-CN (the HTML report\'s language)');
          const top = intParam(query, 'top', 1, 100);
          const minPayments = intParam(query, 'minPayments', 1, 1_000_000_000);
          const options: Extract<ReportJob, { kind: 'risk-report' }>['options'] = { from, to, bucket };
          if (top !== undefined) options.top = top;
          if (minPayments !== undefined) options.minPayments = minPayments;
          // the live engine's current merchant and terminal ratings join the report here (the worker has no engine)
          const report = addRatings(await queuedReport(parts, { kind: 'risk-report', options }), parts.engine, top ?? 10);
          if (format === 'html') return { text: renderRiskReportHtml(report, lang), contentType: 'text/html; charset=utf-8' };
          return { body: report };
        },
      },
    ],
  };
};
