/**
 * Cases over HTTP: the queue, one case with its evidence, and the analyst's work (assign, notes,
 * status, resolve); analysts and admins only. Starts the journal feed that opens cases from
 * decisions and detectors (unless FENGKONG_DETECTORS=off), and GET /v1/detectors reports its lag.
 */
import { gatherEvidence } from '../../cases/evidence.js';
import { CaseService } from '../../cases/service.js';
import { CASE_MAX_PAGE, CASE_STATUSES, SUBJECT_KINDS, type CaseQuery, type SubjectKind } from '../../cases/types.js';
import { InputError } from '../../errors.js';
import { checkIssue, idField, objectBody, textField } from '../../cases/validate.js';
import { detectionEnabled, startDetection, type Detection } from '../../detectors/index.js';
import { viewOf } from '../../merchants/actions.js';
import { SqliteMerchantStore } from '../../store/sqlite/merchants.js';
import type { BodyLimits } from '../body.js';
import type { ModuleFactory } from '../routes.js';
import { CaseAssignBody, CaseNoteBody, CaseOpenBody, CaseQueueQuery, CaseResolveBody, CaseStatusBody, CaseViewQuery } from '../schemas/cases.js';
import { intParam } from './audit.js';

/** A case request body is small; a note at most a few KiB. */
const CASE_LIMITS: BodyLimits = { maxBytes: 64 * 1024, maxDepth: 8 };

/** The gauge of the case feed's lag in journal entries; registered only while detectors run (the overview reads it). */
export const CASE_FEED_LAG_GAUGE = 'fengkong_case_feed_lag_entries';

function queueQuery(q: URLSearchParams): CaseQuery {
  const status = q.get('status') ?? 'active';
  if (!['active', 'all', ...CASE_STATUSES].includes(status)) throw new InputError('status', 'active (default), all, open, investigating or resolved');
  const assignee = q.get('assignee');
  const subject = q.get('subject');
  let subjectKind = (q.get('subjectKind') ?? undefined) as SubjectKind | undefined;
  let subjectId = q.get('subjectId') ?? undefined;
  if (subject !== null) {
    const i = subject.indexOf(':');
    subjectKind = (i < 0 ? subject : subject.slice(0, i)) as SubjectKind;
    subjectId = i < 0 ? undefined : subject.slice(i + 1);
  }
  if (subjectKind !== undefined && !SUBJECT_KINDS.includes(subjectKind)) throw new InputError('subject', 'account:<id>, merchant:<id> or terminal:<id>');
  const issue = q.get('issue');
  const after = q.get('after');
  if (after !== null && !/^\d+(\.\d+)?_\d+_\d+$/.test(after)) throw new InputError('after', 'the `next` of the previous page');
  return {
    status: status as CaseQuery['status'],
    ...(assignee === null ? {} : { assignee: assignee === 'none' ? null : assignee }),
    ...(subjectKind === undefined ? {} : { subjectKind }),
    ...(subjectId === undefined || subjectId === '' ? {} : { subjectId }),
    ...(issue === null ? {} : { issue: issue.endsWith(':') ? issue : checkIssue(issue, 'issue') }),
    ...(after === null ? {} : { after }),
    limit: intParam(q, 'limit', 1, CASE_MAX_PAGE) ?? 50,
  };
}

/** The case routes. */
export const casesModule: ModuleFactory = (parts) => {
  const cases = parts.cases;
  if (!(cases instanceof CaseService)) throw new Error('internal: the cases module needs the server\'s CaseService');
  const merchantStore = new SqliteMerchantStore(parts.store.database);
  const actions = (merchantId: string) => merchantStore.history(merchantId, 20).map((a) => viewOf(a, Date.now())).filter((a) => a.status === 'active');
  const detection: Detection | null = detectionEnabled() ? startDetection({ engine: parts.engine, journal: parts.store, service: parts.service, cases, consumers: parts.feedConsumers ?? [], found: (f) => parts.automation?.onFinding?.(f) }) : null;
  const m = parts.metrics;
  if (detection !== null) {
    const f = detection.feed;
    m.gauge(CASE_FEED_LAG_GAUGE, 'Journal entries applied and not yet seen by the case feed (intake, evidence index, detectors).', () => f.status().lagEntries);
    m.gauge('fengkong_case_feed_lag_seconds', 'Age of the oldest answered event the case feed has not processed yet.', () => f.status().lagMs / 1000);
    m.gauge('fengkong_case_feed_delay_p99_seconds', 'p99 (bucket bound) of the time from answer to processed by the case feed, since start.', () => f.status().delayMs.p99 / 1000);
    m.gauge('fengkong_case_intake_backlog', 'Case requests (flagged payments, findings) processed by the case feed and not written yet; grows in a flood up to the feed\'s backlog limit (then it re-reads the journal), never lost.', () => f.status().pendingCases);
    m.gauge('fengkong_case_intake_backlog_seconds', 'Age of the oldest case request not written yet.', () => f.status().pendingMs / 1000);
    m.gauge('fengkong_case_feed_queued_entries', 'Answered events queued in memory for the case feed and not processed yet.', () => f.status().queuedEntries);
    m.gauge('fengkong_case_feed_rereading', '1 while the case feed re-reads the journal because its backlog passed its limit (live events are then not queued in memory), else 0.', () => (f.status().rereading ? 1 : 0));
    m.gauge('fengkong_case_feed_delay_max_seconds', 'Longest time from answer to processed by the case feed, since start.', () => f.status().delayMs.max / 1000);
  }
  // labels of cases resolved just before a crash: emit them again (a repeated label changes nothing)
  cases.resumeLabels().catch((e: unknown) => process.stderr.write(`fengkong serve: cannot emit pending case labels: ${(e as Error).message}\n`));
  const evidenceOf = (c: ReturnType<CaseService['get']>) =>
    gatherEvidence(c, { engine: parts.engine, journal: parts.store, activity: detection?.activity ?? null, actions, cases: (kind, id) => cases.activeFor(kind, id) });

  return {
    close: () => detection?.stop(),
    routes: [
      {
        method: 'GET',
        path: '/v1/cases',
        permission: 'read',
        summary: 'The case queue, highest priority (risk × amount at stake) first, ties oldest first',
        description:
          'Query: status (active = open and investigating, the default; open, investigating, resolved, all), assignee (a name, or none), ' +
          `subject (account:<id>, merchant:<id>, terminal:<id>), issue (exact, or a prefix ending in ":" like detector:), after (the next of the previous page), limit (1–${CASE_MAX_PAGE}, default 50).`,
        querySchema: CaseQueueQuery,
        handle({ query, principal }) {
          return { body: cases.list(queueQuery(query)) };
        },
      },
      {
        method: 'POST',
        path: '/v1/cases',
        permission: 'work_cases',
        summary: 'Open a case by hand (or add to the open case of the same subject and issue): {subjectKind, subjectId, note, issue?, risk?, amount?, ref?}',
        description: 'issue defaults to "analyst", risk to 50, amount to 0 fen. 201 when a case was opened, 200 when the item joined an open one. Audited as case.open / case.item.',
        body: CASE_LIMITS,
        bodySchema: CaseOpenBody,
        handle({ body, principal }) {
          const o = objectBody(body);
          const ref = idField(o, 'ref', false, 'ref', 256);
          const r = cases.open({
            subjectKind: o.subjectKind as SubjectKind,
            subjectId: o.subjectId as string,
            issue: o.issue === undefined ? 'analyst' : (o.issue as string),
            source: ref === undefined ? { kind: 'analyst' } : { kind: 'analyst', ref },
            risk: o.risk === undefined ? 50 : (o.risk as number),
            amount: o.amount === undefined ? 0 : (o.amount as number),
            note: textField(o, 'note', true),
            actor: principal.keyId,
          });
          return { status: r.created ? 201 : 200, body: { ...r, case: cases.get(r.caseId) } };
        },
      },
      {
        method: 'GET',
        path: '/v1/cases/{id}',
        permission: 'read',
        summary: 'One case: its items, notes and history, and the evidence gathered now (payments, devices, places, reasons, related accounts)',
        description:
          'Query: evidence=false leaves the evidence out. An account case\'s evidence also has boundTerminals: for each terminal of the ' +
          'payments shown that has a registered geo, {terminalId, merchantId, boundAddress: {lat, lon}, payments, distanceFromHomeKm}, latest used last.',
        querySchema: CaseViewQuery,
        handle({ params, query, principal }) {
          const c = cases.get(params.id);
          const { itemList, ...rest } = c;
          return { body: { case: rest, items: itemList, ...(query.get('evidence') === 'false' ? {} : { evidence: evidenceOf(c) }) } };
        },
      },
      {
        method: 'POST',
        path: '/v1/cases/{id}/assign',
        permission: 'work_cases',
        summary: 'Assign an unresolved case: {assignee} (a name or key id), {} for oneself, {assignee: null} to unassign',
        body: CASE_LIMITS,
        bodySchema: CaseAssignBody,
        handle({ params, body, principal }) {
          return { body: { case: cases.assign(params.id, body, principal.keyId) } };
        },
      },
      {
        method: 'POST',
        path: '/v1/cases/{id}/notes',
        permission: 'work_cases',
        summary: 'Add a note: {text}',
        body: CASE_LIMITS,
        bodySchema: CaseNoteBody,
        handle({ params, body, principal }) {
          const r = cases.note(params.id, body, principal.keyId);
          return { status: 201, body: r };
        },
      },
      {
        method: 'POST',
        path: '/v1/cases/{id}/status',
        permission: 'work_cases',
        summary: 'Move an unresolved case to open or investigating: {status, note?}',
        body: CASE_LIMITS,
        bodySchema: CaseStatusBody,
        handle({ params, body, principal }) {
          return { body: { case: cases.setStatus(params.id, body, principal.keyId) } };
        },
      },
      {
        method: 'POST',
        path: '/v1/cases/{id}/resolve',
        permission: 'work_cases',
        summary: 'Resolve a case as fraud or legitimate: {resolution, typology?, note?}; emits label events for its payments and subject',
        description:
          'Final: resolving a resolved case is 409 and changes nothing. Labels (source "case:<id>") are journaled and applied to the engine ' +
          'before the answer, so the next payment\'s label-aware features and score see them.',
        body: CASE_LIMITS,
        bodySchema: CaseResolveBody,
        async handle({ params, body, principal }) {
          return { body: await cases.resolve(params.id, body, principal.keyId) };
        },
      },
      {
        method: 'GET',
        path: '/v1/detectors',
        permission: 'read',
        summary: 'The case feed and detectors: lag behind the journal, processing delay, findings',
        handle({ principal }) {
          if (detection === null) return { body: { enabled: false } };
          const findings: Record<string, number> = {};
          for (const d of detection.detectors) findings[d.name] = (d as unknown as { findings?: number }).findings ?? 0;
          return { body: { enabled: true, ...detection.feed.status(), findings, evidenceIndex: detection.activity.sizes() } };
        },
      },
    ],
  };
};
