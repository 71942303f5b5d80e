/**
 * `GET /v1/audit`: the change history for analysts and auditors, newest first, filtered by actor,
 * action or target (exact, or a prefix ending in `.` / `/`) and time, paged with `before`.
 * `GET /v1/audit/head` and the `fengkong_audit_head*` metrics: the chain's newest seq and hash, so
 * an outside system can pin it and later prove nothing up to it was rewritten (docs/security.md).
 */
import { ContractError } from '../../errors.js';
import { AUDIT_MAX_PAGE, type AuditLog, type AuditQuery } from '../../audit/log.js';
import type { ModuleFactory, Route } from '../routes.js';
import { AuditHeadReply, AuditQuery as AuditQuerySchema } from '../schemas/reports.js';

/** Reads an optional integer query parameter, refusing anything else with the parameter named. */
export function intParam(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new ContractError(name, `an integer from ${min} to ${max}`);
  }
  return n;
}

/** The `before` cursor (a positive integer) and `limit` (1 … maxLimit) of a newest-first page, each optional. */
export function pageParams(q: URLSearchParams, maxLimit: number): { before: number | undefined; limit: number | undefined } {
  return { before: intParam(q, 'before', 1, Number.MAX_SAFE_INTEGER), limit: intParam(q, 'limit', 1, maxLimit) };
}

/** Reads an optional time query parameter: epoch ms or an ISO 8601 timestamp. */
export function timeParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new ContractError(name, 'epoch milliseconds or an ISO 8601 timestamp');
  return n;
}

/**
 * The audit log's read routes, and its head as metrics. The routes read through the port of either
 * kind and await; the metrics are read in the synchronous render of `/metrics`, so they need the log
 * that answers at once (a networked log will want its head cached, or pushed, for them).
 */
export const auditModule: ModuleFactory = ({ audit, metrics }) => {
  metrics.gauge('fengkong_audit_head_seq', 'Seq of the newest audit log entry (0 when empty).', () => audit.head().seq);
  metrics.info('fengkong_audit_head', 'The audit log chain head: seq and sha256 hash as labels, value 1.', () => {
    const h = audit.head();
    return { seq: String(h.seq), hash: h.hash };
  });
  return { routes: auditRoutes(audit) };
};

/** The audit log's read routes over the port of either kind: the embedded server's module and a cluster node's. */
export function auditRoutes(log: AuditLog): Route[] {
  return [
      {
        method: 'GET',
        path: '/v1/audit',
        permission: 'read',
        summary: 'The audit log: every change to policies, lists, keys, modes and accounts, newest first',
        description:
          'Query: actor, action (exact, or a prefix ending in "."), target (exact, or a prefix ending in "/"), ' +
          `from, to (epoch ms or ISO 8601), before (a seq, for the next page), limit (1–${AUDIT_MAX_PAGE}, default 100).`,
        querySchema: AuditQuerySchema,
        async handle({ query }) {
          const q: AuditQuery = {
            actor: query.get('actor') ?? undefined,
            action: query.get('action') ?? undefined,
            target: query.get('target') ?? undefined,
            from: timeParam(query, 'from'),
            to: timeParam(query, 'to'),
            ...pageParams(query, AUDIT_MAX_PAGE),
          };
          const entries = await log.list(q);
          const last = entries.at(-1);
          const limit = q.limit ?? 100;
          return { body: { entries, next: entries.length === limit && last !== undefined ? last.seq : null } };
        },
      },
      {
        method: 'GET',
        path: '/v1/audit/head',
        permission: 'read',
        summary: 'The audit log chain head: the newest entry\'s seq and hash, for an outside system to pin',
        description:
          'Every entry\'s hash covers its fields and the previous hash, so this hash stands for the whole history up to seq. ' +
          'Record it elsewhere; `fengkong audit verify --pin SEQ:HASH` later proves nothing up to it was rewritten.',
        responseSchema: AuditHeadReply,
        async handle() {
          return { body: await log.head(), headers: { 'cache-control': 'no-store' } };
        },
      },
  ];
}
