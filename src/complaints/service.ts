/**
 * Filing a complaint, in the order that keeps everything in step: check the body, the subject and
 * the payment named (each a clear error that changes nothing); open or join the subject's
 * `complaint` case; store the complaint with its audit entry (`complaint.file`); then, for an
 * account, journal a `complaint` account event, which the engine counts in `complaints_30d` and the
 * credit rating reads. The HTTP module (server/routes/complaints.ts) is a thin layer over this.
 */
import type { AuditLog } from '../audit/log.js';
import type { CaseOpener } from '../cases/types.js';
import { formatShanghai } from '../contract/time.js';
import type { AccountActivityEvent } from '../contract/events.js';
import type { Engine } from '../engine/engine.js';
import { InputError, NotFoundError } from '../errors.js';
import type { EventIntake } from '../log/feed.js';
import { merchantComplaints, type MerchantComplaints } from './patterns.js';
import { checkComplaint, type Complaint, type ComplaintStore, type ComplaintSubject } from './types.js';

/** A payment as the complaint check needs it. */
export interface ComplainedPayment {
  readonly accountId: string;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly amount: number;
  readonly score: number | null;
}

/** What the service works with. */
export interface ComplaintServiceDeps {
  readonly engine: Engine;
  readonly store: ComplaintStore;
  readonly audit: AuditLog<'sync'>;
  /** Runs `fn` in one transaction of the store's and the audit log's connection. */
  readonly transaction: <T>(fn: () => T) => T;
  /** The case service, when the server has one. */
  readonly cases: () => CaseOpener | undefined;
  /** Where the account's `complaint` event enters the journal and the engine. */
  readonly intake: EventIntake;
  /** The journaled payment `txId`, if there is one. */
  readonly payment: (txId: string) => ComplainedPayment | undefined;
  readonly now?: () => number;
}

const DAY = 86_400_000;

/** What filing answers. */
export interface Filed {
  readonly complaint: Complaint;
  readonly case: { caseId: string; created: boolean } | null;
}

/** Complaints over one engine and one store. */
export class ComplaintService {
  private readonly now: () => number;

  constructor(private readonly d: ComplaintServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Files the complaint of `body` for `actor`; see the file comment. */
  async file(body: unknown, actor: string): Promise<Filed> {
    const input = checkComplaint(body);
    const { engine } = this.d;
    if (input.subjectKind === 'account' && engine.account(input.subjectId) === undefined) {
      throw new NotFoundError(`account '${input.subjectId}' is unknown: it was never registered and never made a payment`);
    }
    if (input.subjectKind === 'merchant' && engine.reference.merchants.get(input.subjectId) === undefined && !engine.merchantRisk.profiles.merchants.has(input.subjectId)) {
      throw new NotFoundError(`merchant '${input.subjectId}' is unknown: never registered and never seen in a payment`);
    }
    const paid = input.txId === null ? null : this.d.payment(input.txId);
    if (input.txId !== null) {
      const ofSubject =
        paid !== undefined &&
        paid !== null &&
        (input.subjectKind === 'account'
          ? paid.accountId === input.subjectId
          : paid.merchantId === input.subjectId || engine.reference.terminals.get(paid.terminalId)?.merchantId === input.subjectId);
      if (!ofSubject) throw new InputError('txId', `the id of a payment ${input.subjectKind === 'account' ? 'of' : 'at'} ${input.subjectKind} '${input.subjectId}'; '${input.txId}' is not one`);
    }
    const at = this.now();
    const complaint = this.d.transaction(() => {
      const stored = this.d.store.add({ ...input, author: actor, at, caseId: null });
      const opened =
        this.d.cases()?.open({
          subjectKind: input.subjectKind,
          subjectId: input.subjectId,
          issue: 'complaint',
          source: { kind: 'analyst', ref: `complaint-${stored.id}` },
          risk: paid?.score ?? 0,
          amount: paid?.amount ?? 0,
          note: input.txId === null ? input.text : `payment ${input.txId}: ${input.text}`,
          actor,
          ...(input.txId === null || input.subjectKind !== 'account' ? {} : { txId: input.txId }),
        }) ?? null;
      if (opened !== null) this.d.store.setCase(stored.id, opened.caseId);
      const complaint = { ...stored, caseId: opened?.caseId ?? null };
      this.d.audit.append({ actor, action: 'complaint.file', target: `${input.subjectKind}s/${input.subjectId}`, before: null, after: complaint });
      return { complaint, opened };
    });
    if (input.subjectKind === 'account') await this.journal(input.subjectId, at);
    return { complaint: complaint.complaint, case: complaint.opened };
  }

  /** A subject's complaints, newest first. */
  of(kind: ComplaintSubject, subjectId: string, limit: number): Complaint[] {
    return this.d.store.of(kind, subjectId, limit);
  }

  /** What complaints say about a merchant (the merchant view: counts, rating driver, malicious complainants). */
  merchant(merchantId: string): MerchantComplaints {
    return merchantComplaints(merchantId, this.d.store.merchantComplaintsSince(this.now() - 30 * DAY));
  }

  /** Journals the account's `complaint` event at the stream's time (or now, before any event). */
  private journal(accountId: string, wallNow: number): Promise<void> {
    const t = Number.isFinite(this.d.engine.now) ? Math.max(this.d.engine.now, 0) : wallNow;
    const e: AccountActivityEvent = { type: 'account_event', ts: formatShanghai(t), t, accountId, kind: 'complaint' };
    return new Promise((resolve, reject) => this.d.intake.accept([e], (err) => (err === null ? resolve() : reject(err))));
  }
}
