/**
 * Merchants over HTTP. GET /v1/merchants/{id} answers what a customer or partner asks before paying
 * (核实商户: registered? through a licensed acquirer? is this terminal its own, in service?) for any
 * key, and adds the terminals, risk rating with drivers, actions in force and open cases for
 * analysts and admins. POST …/actions holds settlement (analysts and admins), suspends a terminal
 * or releases either (admins): effective from the very next decision, persisted, audited.
 */
import { CaseService } from '../../cases/service.js';
import { InputError } from '../../errors.js';
import { ANALYST_ACTIONS, actionOf, MerchantActions } from '../../merchants/actions.js';
import { paymentPlaces, PLACE_PAYMENTS } from '../../merchants/places.js';
import { merchantView, riskList } from '../../merchants/view.js';
import { NotFoundError } from '../../errors.js';
import { SqliteMerchantStore } from '../../store/sqlite/merchants.js';
import { allows, forbidden } from '../auth.js';
import type { BodyLimits } from '../body.js';
import { RuleActionFollower } from '../../automation/rule-action-follower.js';
import { matchLicences } from '../../merchants/licence-list.js';
import { SqliteLicenceLists } from '../../store/sqlite/licence-lists.js';
import { formatShanghai } from '../../contract/time.js';
import type { FkEvent } from '../../contract/events.js';
import type { EventIntake } from '../../log/feed.js';
import type { AuditLog } from '../../audit/log.js';
import { DetectorActions } from '../../automation/detector-actions.js';
import { merchantComplaints, type MerchantComplaints } from '../../complaints/patterns.js';
import { SqliteComplaintStore } from '../../store/sqlite/complaints.js';
import { SqliteFollowerCursors } from '../../store/sqlite/follower-cursors.js';
import type { ModuleFactory, Route } from '../routes.js';
import type { Engine } from '../../engine/engine.js';
import type { ActionView } from '../../merchants/actions.js';
import type { CaseSummary } from '../../cases/types.js';
import { thenReply, type Maybe } from './policies.js';
import { LicenceListBody, MerchantActionBody, MerchantCheckQuery, MerchantListQuery } from '../schemas/merchants.js';
import { intParam } from './audit.js';

const ACTION_LIMITS: BodyLimits = { maxBytes: 16 * 1024, maxDepth: 4 };


/** What the merchant routes act through: a data folder's MerchantActions, or a cluster node's. */
export interface MerchantActionsApi {
  act(merchantId: string, body: unknown, actor: string): Maybe<unknown>;
  active(merchantId: string): Maybe<ActionView[]>;
  history(merchantId: string): Promise<ActionView[]>;
}

/** What the merchant routes read beside the actions. */
export interface MerchantRouteDeps {
  /** The engine whose reference data, profiles and controls the views read. */
  readonly engine: () => Engine;
  readonly actions: MerchantActionsApi;
  readonly openCases: (kind: 'merchant' | 'terminal', id: string) => CaseSummary[];
  /** Where the merchant's latest payments were made (null: no payment index here). */
  readonly places: ((merchantId: string) => Promise<unknown>) | null;
  /** What filed complaints say about the merchant (absent: no complaints here). */
  readonly complaints?: (merchantId: string) => MerchantComplaints;
  /** The latest licensed-institutions list imported, shown beside the acquirer (null: none yet). */
  readonly licenceList?: () => { asOf: string; source: string } | null;
}

/** The merchant routes on a data folder. */
export const merchantsModule: ModuleFactory = (parts) => {
  const { engine, audit, service } = parts;
  const store = new SqliteMerchantStore(parts.store.database);
  const actions = new MerchantActions(store, engine, audit, () => service.appliedSeq);
  const complaintStore = new SqliteComplaintStore(parts.store.database);
  const cases = parts.cases instanceof CaseService ? parts.cases : null;
  const controls = engine.merchantRisk.controls;
  parts.metrics.gauge('fengkong_merchant_settlements_held', 'Merchants whose settlement is held now.', () => controls.held);
  parts.metrics.gauge('fengkong_terminals_suspended', 'Terminals suspended now.', () => controls.suspended);
  const follower = new RuleActionFollower({
    name: 'rule_actions.merchants',
    kinds: ['hold_settlement', 'suspend_terminal'],
    journal: parts.store,
    feed: service,
    cursors: new SqliteFollowerCursors(parts.store.database),
    record: (f) => {
      const action = f.action.action === 'hold_settlement' ? 'hold_settlement' : 'suspend_terminal';
      const { rule } = f.action;
      actions.recordAutomatic({
        seq: f.seq, actor: `rule:${rule}`, reason: `rule ${rule} of policy ${f.policy} on payment ${f.tx.id}`, action, target: f.action.target,
        merchantId: f.tx.merchantId, expiresAt: f.until, detail: { rule, policy: f.policy, txId: f.tx.id },
      });
    },
  });
  // detectors' findings hold settlement or suspend a terminal where the policy's settings say so
  const detectorActions = new DetectorActions({
    policy: () => engine.currentPolicy,
    holdEnd: (m) => controls.holdEnd(m),
    suspensionEnd: (t) => controls.suspensionEnd(t),
    merchantOf: (t) => engine.reference.terminals.get(t)?.merchantId,
    take: (r) => actions.recordAutomatic(r),
    raise: (a) => parts.automation?.raiseAlert?.(a),
  });
  if (parts.automation !== undefined) parts.automation.onFinding = (f) => {
    try {
      detectorActions.onFinding(f);
    } catch (e) {
      process.stderr.write(`fengkong serve: the action of detector ${f.detector} on ${f.subjectKind} ${f.subjectId} failed: ${(e as Error).message}\n`);
    }
  };
  const licences = new SqliteLicenceLists(parts.store.database);
  return {
    close: () => follower.close(),
    routes: [
      ...licenceListRoutes(engine, service, licences, audit),
      ...merchantRoutes({
      engine: () => engine,
      actions,
      openCases: (kind, id) => cases?.activeFor(kind, id) ?? [],
      complaints: (merchantId) => merchantComplaints(merchantId, complaintStore.merchantComplaintsSince(Date.now() - 30 * 86_400_000)),
      async places(merchantId) {
        // every payment already answered is indexed before its places are read
        await parts.txIndex.upTo(parts.store.lastSeq());
        const seqs = parts.txIndex.reader.merchantPage(merchantId, Number.MAX_SAFE_INTEGER, PLACE_PAYMENTS);
        return paymentPlaces(engine, parts.store, seqs);
      },
      licenceList: () => {
        const l = licences.latest();
        return l === undefined ? null : { asOf: l.asOf, source: l.source };
      },
    }),
    ],
  };
};

/**
 * `POST /v1/acquirers/licence-list` (admin): the central bank's list of licensed payment institutions
 * (merchants/licence-list.ts) — matched to the registered acquirers, journaled as acquirer events
 * (their licence as the list says), kept with its date, audited as `acquirers.licence_list`.
 */
function licenceListRoutes(engine: Engine, intake: EventIntake, licences: SqliteLicenceLists, audit: AuditLog<'sync'>): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/acquirers/licence-list',
      permission: 'admin',
      summary: "Imports the central bank's list of licensed payment institutions: matched acquirers are registered again as licensed or not (二清)",
      description:
        '{asOf: YYYY-MM-DD, source, rows: [{acquirerId?, name, validUntil?}], markUnlisted?, dryRun?}. Rows match registered acquirers by code, else by exact name; ' +
        'a licence valid on asOf (or without an end) is licensed, an expired one unlicensed; markUnlisted: registered acquirers the list does not name become unlicensed. ' +
        '`fengkong merchants licences FILE.csv` sends the CSV as published.',
      body: { maxBytes: 8 * 1024 * 1024, maxDepth: 4 },
      bodySchema: LicenceListBody,
      handle: async ({ body, principal }) => {
        const o = body as { asOf: string; source: string; rows: { acquirerId?: string; name: string; validUntil?: string }[]; markUnlisted?: boolean; dryRun?: boolean };
        const rows = o.rows.map((r) => ({ acquirerId: r.acquirerId ?? null, name: r.name, validUntil: r.validUntil ?? null }));
        const m = matchLicences(rows, engine.reference.acquirers, o.asOf, o.markUnlisted === true);
        const summary = { asOf: o.asOf, source: o.source, updates: m.updates, unmatched: m.unmatched, unlisted: m.unlisted, dryRun: o.dryRun === true };
        if (o.dryRun === true || m.updates.length === 0) return { body: summary };
        const t = engine.nowOr(Date.now());
        const events: FkEvent[] = m.updates.map((u) => ({ type: 'acquirer', ts: formatShanghai(t), t, acquirerId: u.acquirerId, name: u.name, licensed: u.licensed }));
        await new Promise<void>((resolve, reject) => intake.accept(events, (err) => (err === null ? resolve() : reject(err))));
        const licensed = m.updates.filter((u) => u.licensed).length;
        const kept = licences.add({ asOf: o.asOf, source: o.source, importedAt: Date.now(), importedBy: principal.keyId, licensed, unlicensed: m.updates.length - licensed, unmatched: m.unmatched.length });
        audit.append({ actor: principal.keyId, action: 'acquirers.licence_list', target: `acquirers/licence-lists/${kept.id}`, before: null, after: { ...kept, updates: m.updates } });
        return { body: summary };
      },
    },
  ];
}

/** The merchant routes over either kind of actions (a data folder's, a cluster node's). */
export function merchantRoutes(d: MerchantRouteDeps): Route[] {
  const { actions } = d;
  return [
      {
        method: 'GET',
        path: '/v1/merchants',
        permission: 'read',
        summary: 'Merchant codes (or terminals, kind=terminal) seen in the last 7 days, riskiest first, with grade and drivers',
        description: 'Query: kind (merchant, the default, or terminal), minScore (0–100, default 0), limit (1–1000, default 100).',
        querySchema: MerchantListQuery,
        handle({ query, principal }) {
          const kind = query.get('kind') ?? 'merchant';
          if (kind !== 'merchant' && kind !== 'terminal') throw new InputError('kind', 'merchant or terminal');
          const minScore = intParam(query, 'minScore', 0, 100) ?? 0;
          const limit = intParam(query, 'limit', 1, 1000) ?? 100;
          return { body: { [kind === 'merchant' ? 'merchants' : 'terminals']: riskList(d.engine(), { kind, minScore, limit }) } };
        },
      },
      {
        method: 'GET',
        path: '/v1/merchants/{merchantId}',
        permission: 'docs',
        note: 'with `read`, the full view; otherwise only the check before paying',
        summary: 'Check a merchant before paying (registered, licensed acquirer, ?terminalId= its own and in service); analysts also see terminals, rating, actions, cases',
        description:
          'Every key gets the check (`check.ok` and the problems in plain words); analysts and admins also get the terminals with their ratings, ' +
          'the risk rating with its drivers, settlement status, actions in force and open cases, and paymentPlaces: where its latest ' +
          `${PLACE_PAYMENTS} payments were made, {places: [{lat, lon, terminalId, payments, first, last, boundAddress, distanceFromBoundAddressKm}], ` +
          'paymentsRead, withoutGeo}, grouped by about 1 km (0.01°) and terminal, latest used last. 404 when nothing is known of the merchant.',
        querySchema: MerchantCheckQuery,
        async handle({ params, query, principal }) {
          const terminalId = query.get('terminalId') ?? undefined;
          const full = allows(principal.role, 'read');
          const active = full ? await actions.active(params.merchantId) : [];
          const view = merchantView(d.engine(), params.merchantId, {
            ...(terminalId === undefined || terminalId === '' ? {} : { terminalId }),
            full,
            actions: () => active,
            cases: d.openCases,
            ...(d.complaints === undefined ? {} : { complaints: d.complaints }),
            ...(d.licenceList === undefined ? {} : { licenceList: d.licenceList() }),
          });
          if (view === null) throw new NotFoundError(`no merchant ${JSON.stringify(params.merchantId)} is registered or was seen in payments`);
          if (!full || d.places === null) return { body: view };
          return { body: { ...view, paymentPlaces: await d.places(params.merchantId) } };
        },
      },
      {
        method: 'GET',
        path: '/v1/merchants/{merchantId}/actions',
        permission: 'read',
        summary: "A merchant's actions, newest first, with their status (active, released, expired)",
        async handle({ params, principal }) {
          return { body: { actions: await actions.history(params.merchantId) } };
        },
      },
      {
        method: 'POST',
        path: '/v1/merchants/{merchantId}/actions',
        permission: 'hold',
        note: 'hold_settlement needs `hold`; suspend_terminal, release and release_terminal need `act` too',
        summary: 'Act on a merchant: {action: hold_settlement | suspend_terminal | release | release_terminal, reason, terminalId?, expiresAt?}',
        description:
          'hold_settlement: analysts and admins (the merchant\'s payments are reviewed: MERCHANT_SETTLEMENT_HELD); suspend_terminal (its payments are ' +
          'declined: TERMINAL_SUSPENDED), release (the hold) and release_terminal: admins. Effective from the very next decision; 201 with the action. ' +
          '404 for an unknown merchant or terminal, 400 for a terminal of another merchant, 409 for a hold or suspension already in force, or nothing to release. ' +
          'Audited as merchant.hold, merchant.release, merchant.terminal.suspend, merchant.terminal.release.',
        body: ACTION_LIMITS,
        bodySchema: MerchantActionBody,
        handle({ params, body, principal }) {
          const name = actionOf(body);
          // the route needs `hold`; every other action (suspending, releasing) needs `act` as well
          if (!ANALYST_ACTIONS.includes(name) && !allows(principal.role, 'act')) throw forbidden(principal.role, 'act', name);
          return thenReply(actions.act(params.merchantId, body, principal.keyId), (r) => ({ status: 201, body: r }));
        },
      },
  ];
}
