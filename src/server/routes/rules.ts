/**
 * `GET /v1/rules/performance`: per reason code and time bucket, the payments a rule hit, what was
 * decided on them, which were fraud by the labels known now, its precision and the money involved
 * (src/policy/rule-performance.ts). A scan of the journal on a worker thread, in the server's report
 * queue (routes/reports.ts).
 */
import { bucketValue, checkBuckets, checkRange, queryBound } from '../../report/range.js';
import type { ReportJob } from '../../report/worker-runner.js';
import type { ModuleFactory } from '../routes.js';
import { RulePerformanceQuery } from '../schemas/reports.js';
import { queuedReport, reportQueueFor } from './reports.js';

/** The rule performance route. */
export const rulesModule: ModuleFactory = (parts) => ({
  close: () => reportQueueFor(parts).close(),
  routes: [
    {
      method: 'GET',
      path: '/v1/rules/performance',
      permission: 'read',
      summary: 'Per rule (reason code) and time bucket: hits, outcomes, fraud and legitimate by the labels known now, precision, money',
      description:
        'Query: from, to (optional; epoch ms, an ISO 8601 timestamp with offset, or a date YYYY-MM-DD meaning midnight +08:00; ' +
        'default the whole journal), bucket (hour|day|week, default day; buckets in +08:00, weeks from Monday). ' +
        'A payment is fraud by its own label (latest wins), else by a fraud label on its account; unlabelled payments count as legitimate.',
      querySchema: RulePerformanceQuery,
      async handle({ query }) {
        const from = queryBound(query, 'from');
        const to = queryBound(query, 'to');
        checkRange(from, to);
        const b = query.get('bucket');
        const bucket = b === null ? 'day' : bucketValue(b);
        if (from !== undefined && to !== undefined) checkBuckets(from, to, bucket);
        const options: Extract<ReportJob, { kind: 'rule-performance' }>['options'] = { bucket };
        if (from !== undefined) options.from = from;
        if (to !== undefined) options.to = to;
        return { body: await queuedReport(parts, { kind: 'rule-performance', options }) };
      },
    },
  ],
});
