/**
 * `POST /v1/complaints` (support, with `appeal`) and `GET /v1/complaints` (read): complaints about an
 * account or a merchant (src/complaints). Filing opens or joins the subject's `complaint` case and is
 * audited as `complaint.file`; an account's complaint journals a `complaint` account event, which
 * counts in `complaints_30d`. The merchant view shows a merchant's complaints and malicious patterns.
 */
import { ComplaintService } from '../../complaints/service.js';
import type { ComplaintSubject } from '../../complaints/types.js';
import { SqliteComplaintStore } from '../../store/sqlite/complaints.js';
import type { ModuleFactory } from '../routes.js';
import { ComplaintBody, ComplaintListQuery } from '../schemas/complaints.js';
import { intParam } from './audit.js';

const LIMITS = { maxBytes: 16 * 1024, maxDepth: 4 };

/** The complaints module of the embedded server. */
export const complaintsModule: ModuleFactory = ({ engine, store, audit, cases, service }) => {
  const complaints = new ComplaintService({
    engine,
    store: new SqliteComplaintStore(store.database),
    audit,
    transaction: (fn) => store.database.transaction(fn).immediate(),
    cases: () => cases,
    intake: service,
    payment: (txId) => {
      const d = store.decision(txId);
      if (d === undefined) return undefined;
      const tx = JSON.parse(d.event) as { accountId: string; merchantId: string; terminalId: string; amount: number };
      const score = (JSON.parse(d.decision) as { score?: unknown }).score;
      return { accountId: tx.accountId, merchantId: tx.merchantId, terminalId: tx.terminalId, amount: tx.amount, score: typeof score === 'number' ? score : null };
    },
  });
  return {
    routes: [
      {
        method: 'POST',
        path: '/v1/complaints',
        permission: 'appeal',
        summary: "File a customer's complaint about an account or a merchant: {subjectKind, subjectId, text, txId?, complainant?}; opens or joins a case",
        description:
          'An account\'s complaint counts in complaints_30d (a complaint account event is journaled); a merchant\'s feeds its rating in the merchant view. ' +
          'complainant {accountId?, deviceId?, ip?}: who complained, kept as tokens; one device or IP complaining about three merchants or more in 30 days is shown as malicious. Audited as complaint.file.',
        body: LIMITS,
        bodySchema: ComplaintBody,
        handle: async ({ body, principal }) => ({ status: 201, body: await complaints.file(body, principal.keyId) }),
      },
      {
        method: 'GET',
        path: '/v1/complaints',
        permission: 'read',
        summary: "A subject's complaints, newest first (?subjectKind=account|merchant&subjectId=…)",
        querySchema: ComplaintListQuery,
        handle: ({ query }) => ({
          body: { complaints: complaints.of(query.get('subjectKind') as ComplaintSubject, query.get('subjectId') ?? '', intParam(query, 'limit', 1, 500) ?? 50) },
        }),
      },
    ],
  };
};
