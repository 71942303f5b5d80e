/**
 * Lower limits proposed by the credit rating (accounts/limit-proposals.ts): the weekly job (Mondays
 * 08:00 Asia/Shanghai, added to the scheduler) and `GET /v1/limit-proposals` (read),
 * `POST /v1/limit-proposals/approve` and `/reject` (admin) — approval in bulk, each proposal becoming
 * a `lower_limit` account action taken by the approving admin.
 */
import { proposalFor, type ProposalState } from '../../accounts/limit-proposals.js';
import type { AccountService } from '../../accounts/service.js';
import { InputError } from '../../errors.js';
import type { Engine } from '../../engine/engine.js';
import type { AuditLog } from '../../audit/log.js';
import type { Job } from '../../schedules/scheduler.js';
import { SCHEDULES_ACTOR } from '../../schedules/review-queue.js';
import { DEFAULT_CADENCES } from '../../schedules/schedule-file.js';
import type { SqliteLimitProposals } from '../../store/sqlite/limit-proposals.js';
import type { Route } from '../routes.js';
import { LimitDecisionBody, LimitProposalQuery } from '../schemas/accounts.js';
import { intParam } from './audit.js';

const LIMITS = { maxBytes: 256 * 1024, maxDepth: 4 };
const STATES: readonly ProposalState[] = ['pending', 'approved', 'rejected', 'superseded'];

/** The weekly job proposing lower limits for accounts graded D or E. */
export function limitProposalJob(engine: () => Engine, accounts: AccountService, proposals: SqliteLimitProposals, transaction: <T>(fn: () => T) => T, audit: AuditLog<'sync'>): Job {
  return {
    name: 'limit_proposals',
    cadence: DEFAULT_CADENCES.limit_proposals,
    run: async (slot) => {
      transaction(() => {
        let made = 0;
        for (const a of engine().accounts()) {
          const p = proposalFor(a, accounts.limitInForce(a.id));
          if (p !== null && proposals.propose({ accountId: a.id, ...p, slot, at: Date.now() })) made++;
        }
        if (made > 0) audit.append({ actor: SCHEDULES_ACTOR, action: 'limit_proposals.make', target: `limit-proposals/${slot}`, before: null, after: { slot, proposals: made } });
      });
    },
  };
}

/** The routes over the data folder's proposals and account service. */
export function limitProposalRoutes(accounts: AccountService, proposals: SqliteLimitProposals, transaction: <T>(fn: () => T) => T, audit: AuditLog<'sync'>): Route[] {
  const decide = async (body: unknown, actor: string, approve: boolean): Promise<Record<string, unknown>> => {
    const o = body as { ids?: number[]; all?: boolean; note?: string };
    if ((o.ids === undefined) === (o.all !== true)) throw new InputError('ids', 'the ids of the proposals, or "all": true for every pending one (one of the two)');
    const ids = o.all === true ? proposals.list('pending', 10_000).map((p) => p.id) : (o.ids ?? []);
    const note = o.note ?? '';
    const done: number[] = [];
    const skipped: { id: number; why: string }[] = [];
    for (const id of ids) {
      const p = proposals.one(id);
      if (p === undefined || p.state !== 'pending') {
        skipped.push({ id, why: p === undefined ? 'no such proposal' : `it is ${p.state}` });
        continue;
      }
      try {
        if (approve) {
          const reason = `limit proposal ${id} (credit grade ${p.grade})${note === '' ? '' : `: ${note}`}`.slice(0, 500);
          await accounts.act(p.accountId, { action: 'lower_limit', limit: p.proposedLimit, reason }, actor);
        }
        transaction(() => {
          proposals.decide(id, approve ? 'approved' : 'rejected', actor, Date.now(), note);
          audit.append({ actor, action: `account.limit_proposal.${approve ? 'approve' : 'reject'}`, target: `accounts/${p.accountId}`, before: p, after: proposals.one(id) ?? null });
        });
        done.push(id);
      } catch (e) {
        skipped.push({ id, why: (e as Error).message });
      }
    }
    return { [approve ? 'approved' : 'rejected']: done, skipped };
  };
  return [
    {
      method: 'GET',
      path: '/v1/limit-proposals',
      permission: 'read',
      summary: 'Lower limits the credit rating proposes for accounts graded D (70 %) or E (50 %), newest first (?state=pending|approved|rejected|superseded)',
      querySchema: LimitProposalQuery,
      handle: ({ query }) => {
        const state = query.get('state');
        if (state !== null && !(STATES as readonly string[]).includes(state)) throw new InputError('state', STATES.join(', '));
        return { body: { proposals: proposals.list(state as ProposalState | null, intParam(query, 'limit', 1, 10_000) ?? 500) } };
      },
    },
    {
      method: 'POST',
      path: '/v1/limit-proposals/approve',
      permission: 'admin',
      summary: 'Approves proposals in bulk ({ids} or {all: true}, note?): each becomes a lower_limit action by this admin',
      body: LIMITS,
      bodySchema: LimitDecisionBody,
      handle: async ({ body, principal }) => ({ body: await decide(body, principal.keyId, true) }),
    },
    {
      method: 'POST',
      path: '/v1/limit-proposals/reject',
      permission: 'admin',
      summary: 'Rejects proposals ({ids} or {all: true}, note?)',
      body: LIMITS,
      bodySchema: LimitDecisionBody,
      handle: async ({ body, principal }) => ({ body: await decide(body, principal.keyId, false) }),
    },
  ];
}
