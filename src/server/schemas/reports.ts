/**
 * Query schemas of the journal reads: the audit log, the risk report and rule performance. Bounds
 * are text the domain parses (report/range.ts, routes/audit.ts); the schemas refuse the rest
 * (a bucket that is no bucket, a page size out of range) before a worker is queued.
 */
import { Type } from '@sinclair/typebox';
import { BOUND_EXPECTED, BUCKETS } from '../../report/range.js';
import { AUDIT_MAX_PAGE } from '../../audit/log.js';
import { boundQuery, intQuery, pageQuery, textQuery } from './pages.js';
import { expected, StringEnum } from './schema.js';

const AUDIT_TIME = 'epoch milliseconds or an ISO 8601 timestamp';

/** `GET /v1/audit`. */
export const AuditQuery = Type.Object({
  actor: textQuery('a key id, exact'),
  action: textQuery('exact, or a prefix ending in "." (e.g. policy.)'),
  target: textQuery('exact, or a prefix ending in "/" (e.g. lists/)'),
  from: Type.Optional(boundQuery(AUDIT_TIME, 'epoch ms or ISO 8601')),
  to: Type.Optional(boundQuery(AUDIT_TIME, 'epoch ms or ISO 8601')),
  ...pageQuery(AUDIT_MAX_PAGE),
});

/** `GET /v1/audit/head`: what an outside system pins (docs/security.md). */
export const AuditHeadReply = Type.Object({
  seq: Type.Integer({ minimum: 0, description: 'the newest entry\'s seq; 0 for an empty log' }),
  hash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'its sha256 chain hash (64 zeros for an empty log)' }),
});

const BOUND = 'epoch ms, an ISO 8601 timestamp with offset, or a date YYYY-MM-DD meaning midnight +08:00';
const bucket = (description: string) => Type.Optional(StringEnum(BUCKETS, { description }));

/** `GET /v1/reports/risk`: a period is required. */
export const RiskReportQuery = Type.Object({
  from: boundQuery(BOUND_EXPECTED, `start of the period: ${BOUND}`),
  to: boundQuery(BOUND_EXPECTED, 'end of the period (exclusive), written as from'),
  bucket: bucket('default hour up to 3 days, day up to 180, then week'),
  top: intQuery(1, 100, { description: 'rows of each top list, default 10' }),
  minPayments: intQuery(1, 1_000_000_000, { description: 'the fewest payments a merchant or terminal needs to rank by flagged share, default 20' }),
  format: Type.Optional(
    StringEnum(['json', 'html'] as const, expected('json or html', { description: 'json (default) or html; also chosen by Accept: text/html' })),
  ),
  lang: Type.Optional(StringEnum(['en', 'zh-CN'] as const, expected('en or zh-CN', { description: "the HTML report's language: en (default) or zh-CN" }))),
});

/** `GET /v1/rules/performance`: the whole journal unless bounded. */
export const RulePerformanceQuery = Type.Object({
  from: Type.Optional(boundQuery(BOUND_EXPECTED, BOUND)),
  to: Type.Optional(boundQuery(BOUND_EXPECTED, 'written as from (exclusive)')),
  bucket: bucket('default day; buckets in +08:00, weeks from Monday'),
});
