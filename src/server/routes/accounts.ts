/**
 * Accounts over HTTP: actions (freeze, lower the limit, require step-up, restore, …) effective from
 * the very next decision, the analyst's full view, the customer's view for customer service, and
 * appeals that open a case. Analysts read, admins act, support reads the customer view and files
 * appeals (see auth.ts). The module also stores what rules did to accounts (a journal follower),
 * tells restrictions ending by event time (the expiry watch), and proposes lower limits for risky
 * grades weekly (limit-proposals.ts).
 */
import { AccountService, DEFAULT_PAGE, LocalRestrictions, MAX_PAGE } from '../../accounts/service.js';
import { MAX_APPEAL_LENGTH } from '../../accounts/types.js';
import { SqliteAccountStore } from '../../store/sqlite/accounts.js';
import { SqliteFollowerCursors } from '../../store/sqlite/follower-cursors.js';
import { SqliteNoticeStore } from '../../store/sqlite/notices.js';
import { RuleActionFollower } from '../../automation/rule-action-follower.js';
import { ExpiryWatch } from '../../accounts/expiry-watch.js';
import { SqliteLimitProposals } from '../../store/sqlite/limit-proposals.js';
import { limitProposalJob, limitProposalRoutes } from './limit-proposals.js';
import type { BodyLimits } from '../body.js';
import type { ModuleFactory, Route } from '../routes.js';
import { thenReply } from './policies.js';
import { AccountActionBody, AppealBody, CustomerViewQuery } from '../schemas/accounts.js';
import { intParam } from './audit.js';

/** Customer notices the customer view lists. */
const RECENT_NOTICES = 20;

/** How often ends of restrictions by event time are looked for. */
const EXPIRY_LOOK_MS = 1_000;

/** An action or appeal body is at most a few KiB. */
const ACCOUNT_LIMITS: BodyLimits = { maxBytes: 16 * 1024, maxDepth: 4 };

/** The account routes on a data folder. */
export const accountsModule: ModuleFactory = (parts) => {
  const store = new SqliteAccountStore(parts.store.database);
  const book = new LocalRestrictions(store, parts.engine);
  const noticeStore = new SqliteNoticeStore(parts.store.database);
  const cursors = new SqliteFollowerCursors(parts.store.database);
  // the payment index is the server's (parts.txIndex): the merchant page reads it too
  const s = new AccountService({
    engine: () => parts.engine,
    store,
    audit: parts.audit,
    book,
    appliedSeq: () => parts.service.appliedSeq,
    committedSeq: () => parts.store.lastSeq(),
    index: parts.txIndex,
    cases: () => parts.cases,
    notices: (id) => noticeStore.of(id, RECENT_NOTICES),
  });
  // what rules do to accounts is stored here, where the admin's own actions are (src/automation)
  const follower = new RuleActionFollower({
    name: 'rule_actions.accounts',
    kinds: ['freeze_account', 'lower_limit', 'require_step_up'],
    journal: parts.store,
    feed: parts.service,
    cursors,
    record: (f) => {
      s.recordRuleAction({
        seq: f.seq,
        txId: f.tx.id,
        eventTime: f.tx.t,
        rule: f.action.rule,
        policy: f.policy,
        accountId: f.action.target,
        action: f.action.action === 'freeze_account' ? 'freeze' : f.action.action === 'lower_limit' ? 'lower_limit' : 'require_step_up',
        limit: f.action.limit ?? null,
        expiresAt: f.until,
      });
    },
  });
  // restrictions ending by event time are told (audit account.expire → webhook account.restored)
  const watch = new ExpiryWatch({ states: () => book.entries(), now: () => parts.engine.now, cursors, append: (r) => parts.audit.append(r) });
  book.onChange = () => watch.changed();
  const look = setInterval(() => {
    try {
      watch.check();
    } catch (e) {
      process.stderr.write(`fengkong serve: the account expiry watch failed: ${(e as Error).message}\n`);
    }
  }, EXPIRY_LOOK_MS);
  look.unref();
  // the credit rating's weekly proposals of lower limits, approved by an admin (in bulk)
  const proposals = new SqliteLimitProposals(parts.store.database);
  const tx = <T>(fn: () => T): T => parts.store.database.transaction(fn).immediate();
  parts.automation?.jobs?.push(limitProposalJob(() => parts.engine, s, proposals, tx, parts.audit));
  return {
    routes: [...accountRoutes(s), ...limitProposalRoutes(s, proposals, tx, parts.audit)],
    close: () => {
      clearInterval(look);
      follower.close();
    },
  };
};

/** The account routes over an AccountService of either kind (a data folder's, a cluster node's). */
export function accountRoutes(s: AccountService): Route[] {
  return [
      {
        method: 'GET',
        path: '/v1/accounts/{accountId}',
        permission: 'read',
        summary: 'An account in full: credit, restrictions, credit rating with its drivers, devices, recent payments, actions, appeals',
        handle: async ({ params }) => ({ body: await s.view(params.accountId) }),
      },
      {
        method: 'POST',
        path: '/v1/accounts/{accountId}/actions',
        permission: 'act',
        summary: 'Act on an account (freeze, unfreeze, lower_limit, restore_limit, require_step_up, lift_step_up, restore); effective from the next decision',
        description:
          '{action, reason, limit?, expiresAt?}. 404 for an account never registered and never seen paying; 400 with the field path ' +
          'for bad input (a limit below 0 or above the registered limit, no reason, an expiry in the past); 409 when lifting what is ' +
          'not in force. Audited as account.<action> with the restrictions before and after.',
        body: ACCOUNT_LIMITS,
        bodySchema: AccountActionBody,
        handle: ({ params, body, principal }) => thenReply(s.act(params.accountId, body, principal.keyId), (r) => ({ status: 201, body: r })),
      },
      {
        method: 'GET',
        path: '/v1/accounts/{accountId}/customer-view',
        permission: 'support',
        summary: "What the customer is told: status, restrictions in plain words (English and Chinese), limit and available credit, the transaction record",
        description: `Query: cursor (the \`next\` of the previous page), limit (1–${MAX_PAGE}, default ${DEFAULT_PAGE}). Newest first. No score, rule or internal reason.`,
        querySchema: CustomerViewQuery,
        handle: async ({ params, query }) => {
          const cursor = query.get('cursor') ?? undefined;
          const limit = intParam(query, 'limit', 1, MAX_PAGE);
          return { body: await s.customerView(params.accountId, { cursor, limit }) };
        },
      },
      {
        method: 'POST',
        path: '/v1/accounts/{accountId}/appeals',
        permission: 'appeal',
        summary: "File a customer's appeal: {text, txId?}; opens a case (issue appeal)",
        description: `text: 1–${MAX_APPEAL_LENGTH} characters, required. txId: a payment of this account. Audited as account.appeal.`,
        body: ACCOUNT_LIMITS,
        bodySchema: AppealBody,
        handle: ({ params, body, principal }) => thenReply(s.appeal(params.accountId, body, principal.keyId), (r) => ({ status: 201, body: r })),
      },
  ];
}
