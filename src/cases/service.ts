/**
 * The case service: opens and joins cases (the CaseOpener other modules use), and the analyst's
 * work on them — assign, note, status, resolve. Every change commits with its audit record in one
 * transaction. Resolving emits `label` events for the case's payments and its subject through the
 * decision service, so they are journaled and applied to the engine: label-aware features and the
 * model learn from the investigation from the next payment on.
 */
import type { FkEvent } from '../contract/events.js';
import { parseEvent } from '../contract/parse.js';
import { formatShanghai } from '../contract/time.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AuditLog } from '../audit/log.js';
import {
  caseId,
  caseNumber,
  type CaseOpener,
  type CaseQuery,
  type CaseRecord,
  type CaseSummary,
  type OpenCaseInput,
  type OpenCaseRequest,
  type PriorityBand,
} from './types.js';
import { BUSY, type CaseStore, type GroupResult, type LastResolution, type OpenResult } from './store.js';
import { checkAssign, checkNote, checkOpen, checkResolve, checkStatus } from './validate.js';

/** Hands events to the decision service (`DecisionService.accept`): applied, journaled, then `cb`. */
export type LabelSink = (events: readonly FkEvent[], cb: (err: Error | null, accepted: number) => void) => void;

/** What the service needs. */
export interface CaseServiceOptions {
  readonly store: CaseStore<'sync'>;
  /** The audit log on the same connection as the store, so a change and its record commit together. */
  readonly audit: AuditLog<'sync'>;
  /** Where resolution labels go; without one, resolving records no labels. */
  readonly labels?: LabelSink;
  /** Event time for the labels a resolution emits (epoch ms); default the wall clock. */
  readonly labelClock?: () => number;
  /** Wall clock (epoch ms) for records; default Date.now. */
  readonly now?: () => number;
  /** Items stored per case (later ones still count in amount and priority). Default 5,000. */
  readonly maxItems?: number;
}

/** A resolution's outcome. */
export interface Resolved {
  readonly case: CaseSummary;
  /** Label events emitted (journaled and applied). */
  readonly labels: number;
}

const target = (n: number): string => `cases/${caseId(n)}`;

/**
 * Cases over a CaseStore, in its synchronous form: `openBatch` runs in the journal feed's synchronous
 * consumer and the detectors read cases between events (a networked case store needs the intake
 * redesigned, e.g. queued off the feed), and every change shares an SQLite transaction with its audit.
 */
export class CaseService implements CaseOpener {
  readonly store: CaseStore<'sync'>;
  private readonly audit: AuditLog<'sync'>;
  private readonly labels: LabelSink | undefined;
  private readonly labelClock: () => number;
  private readonly now: () => number;
  private readonly maxItems: number;

  constructor(o: CaseServiceOptions) {
    this.store = o.store;
    this.audit = o.audit;
    this.labels = o.labels;
    this.now = o.now ?? Date.now;
    this.labelClock = o.labelClock ?? this.now;
    this.maxItems = o.maxItems ?? 5_000;
  }

  /** Opens a case, or joins the open case of the same subject and issue. Durable on return. */
  open(input: OpenCaseInput | OpenCaseRequest): { caseId: string; created: boolean } {
    const req = checkOpen(input);
    const r = this.store.transaction(() => this.record(req));
    return { caseId: caseId(r.n), created: r.created };
  }

  /**
   * Opens or joins every request in one transaction that never waits for the write lock nor the
   * disk (see CaseStore.background), moving the case feed's checkpoint to `feedSeq` with
   * them; null when the lock was busy (nothing written: call again). Requests must be valid
   * (checkOpen); for background producers (the decision hook, the detectors).
   *
   * Coalesced: the requests are grouped by (subject, issue), in order of first appearance, and each
   * group is one `openGroup` (one case lookup, one ref lookup, the items, one totals update) and
   * **one audit entry per case per batch** — `case.open` when the batch opened the case, else
   * `case.item` when it added items — whose `after.added` is the number of items the batch added
   * (`source` is the first one's). Results are per request, in input order.
   */
  openBatch(reqs: readonly OpenCaseRequest[], feedSeq: number): OpenResult[] | null {
    const groups = new Map<string, number[]>();
    for (let i = 0; i < reqs.length; i++) {
      const q = reqs[i];
      const k = `${q.subjectKind}\u0000${q.subjectId}\u0000${q.issue}`;
      const g = groups.get(k);
      if (g === undefined) groups.set(k, [i]);
      else g.push(i);
    }
    const r = this.store.background(() => {
      const out = new Array<OpenResult>(reqs.length);
      const now = this.now();
      for (const idx of groups.values()) {
        const group = idx.map((i) => reqs[i]);
        const g = this.store.openGroup(group, now, this.maxItems);
        this.auditGroup(group, g);
        for (let j = 0; j < idx.length; j++) {
          out[idx[j]] = { n: g.n, created: g.created && j === 0, itemAdded: g.added[j], before: g.before, after: g.after };
        }
      }
      this.store.setFeedSeq(feedSeq);
      return out;
    });
    return r === BUSY ? null : r;
  }

  private auditGroup(group: readonly OpenCaseRequest[], g: GroupResult): void {
    const first = group[0];
    if (g.created) {
      this.audit.append({ actor: first.actor, action: 'case.open', target: target(g.n), before: null, after: { ...g.after, source: first.source, added: g.addedCount } });
      return;
    }
    if (g.addedCount === 0) return;
    const src = group[g.added.indexOf(true)];
    this.audit.append({
      actor: src.actor,
      action: 'case.item',
      target: target(g.n),
      before: { risk: g.before?.risk, amount: g.before?.amount, items: g.before?.items },
      after: { risk: g.after.risk, amount: g.after.amount, items: g.after.items, source: src.source, added: g.addedCount },
    });
  }

  private record(req: OpenCaseRequest): OpenResult {
    const r = this.store.openOrJoin(req, this.now(), this.maxItems);
    if (r.created) {
      this.audit.append({ actor: req.actor, action: 'case.open', target: target(r.n), before: null, after: { ...r.after, source: req.source } });
    } else if (r.itemAdded) {
      this.audit.append({
        actor: req.actor,
        action: 'case.item',
        target: target(r.n),
        before: { risk: r.before?.risk, amount: r.before?.amount, items: r.before?.items },
        after: { risk: r.after.risk, amount: r.after.amount, items: r.after.items, source: req.source },
      });
    }
    return r;
  }

  /** The case `id` with its items, notes and history; NotFoundError when there is none. */
  get(id: string): CaseRecord {
    const n = this.need(id);
    return this.store.get(n)!;
  }

  /** The queue. */
  list(q: CaseQuery): { cases: CaseSummary[]; next: string | null } {
    return this.store.list(q);
  }

  /** Assigns (`{assignee}`), self-assigns (`{}`) or unassigns (`{assignee: null}`) an unresolved case. */
  assign(id: string, body: unknown, actor: string): CaseSummary {
    const n = this.need(id);
    const assignee = checkAssign(body, actor);
    return this.store.transaction(() => {
      const before = this.unresolved(n, 'assigned');
      const now = this.now();
      this.store.assign(n, assignee, now);
      this.store.history(n, now, actor, 'assign', before.assignee, assignee);
      this.audit.append({ actor, action: 'case.assign', target: target(n), before: { assignee: before.assignee }, after: { assignee } });
      return this.store.summary(n)!;
    });
  }

  /** Adds a note (`{text}`); resolved cases take notes too (a later finding, a customer's call). */
  note(id: string, body: unknown, actor: string): { case: CaseSummary; note: { n: number; author: string; at: number; text: string } } {
    const n = this.need(id);
    const text = checkNote(body);
    return this.store.transaction(() => {
      const now = this.now();
      const note = this.store.addNote(n, actor, text, now);
      this.store.history(n, now, actor, 'note', null, String(note.n));
      this.audit.append({ actor, action: 'case.note', target: target(n), before: null, after: { note: note.n, text } });
      return { case: this.store.summary(n)!, note };
    });
  }

  /** Moves an unresolved case to open or investigating (`{status, note?}`). */
  setStatus(id: string, body: unknown, actor: string): CaseSummary {
    const n = this.need(id);
    const { status, note } = checkStatus(body);
    return this.store.transaction(() => {
      const before = this.unresolved(n, `moved to ${status}`);
      const now = this.now();
      if (before.status !== status) {
        this.store.setStatus(n, status, now);
        this.store.history(n, now, actor, 'status', before.status, status);
      }
      if (note !== undefined) this.store.addNote(n, actor, note, now);
      this.audit.append({ actor, action: 'case.status', target: target(n), before: { status: before.status }, after: { status, note: note ?? null } });
      return this.store.summary(n)!;
    });
  }

  /**
   * Resolves the case as fraud or legitimate (`{resolution, typology?, note?}`) — final: a second
   * resolve is a ConflictError and changes nothing — then emits its labels: one per payment on the
   * case and one for the subject, `source: "case:<id>"`. Resolves once they are durable.
   */
  async resolve(id: string, body: unknown, actor: string): Promise<Resolved> {
    const n = this.need(id);
    const { resolution, typology, note } = checkResolve(body);
    this.store.transaction(() => {
      const before = this.unresolved(n, 'resolved again');
      const now = this.now();
      this.store.resolve(n, resolution, typology, actor, now);
      this.store.history(n, now, actor, 'resolve', before.status, `resolved:${resolution}`);
      if (note !== undefined) this.store.addNote(n, actor, note, now);
      this.audit.append({
        actor,
        action: 'case.resolve',
        target: target(n),
        before: { status: before.status, resolution: null },
        after: { status: 'resolved', resolution, typology, note: note ?? null },
      });
      if (before.issue === 'appeal' && before.subjectKind === 'account') {
        // the customer's appeal is decided: upheld when the case finds the account's payments legitimate
        this.audit.append({
          actor,
          action: 'account.appeal_decide',
          target: `accounts/${before.subjectId}`,
          before: null,
          after: { caseId: before.id, upheld: resolution === 'legitimate', resolution },
        });
      }
    });
    const labels = await this.emitLabels(n);
    return { case: this.store.summary(n)!, labels };
  }

  /** Emits the labels of resolved cases whose labels may have been lost in a crash (idempotent in effect). */
  async resumeLabels(): Promise<number> {
    let cases = 0;
    for (const n of this.store.pendingLabels()) {
      await this.emitLabels(n);
      cases++;
    }
    return cases;
  }

  /** The label events a resolved case stands for. */
  labelsOf(n: number): FkEvent[] {
    const c = this.store.summary(n);
    if (c === undefined || c.resolution === null) return [];
    const fraud = c.resolution === 'fraud';
    const ts = formatShanghai(this.labelClock());
    const base = { type: 'label', ts, fraud, source: `case:${c.id}`, ...(c.typology === null ? {} : { typology: c.typology }) };
    const raw: Record<string, unknown>[] = this.store.payments(n).map((txId) => ({ ...base, txId }));
    const key = c.subjectKind === 'account' ? 'accountId' : c.subjectKind === 'merchant' ? 'merchantId' : 'terminalId';
    raw.push({ ...base, [key]: c.subjectId });
    return raw.map((r) => parseEvent(r));
  }

  private emitLabels(n: number): Promise<number> {
    const sink = this.labels;
    if (sink === undefined) {
      this.store.labelsEmitted(n, 0);
      return Promise.resolve(0);
    }
    const events = this.labelsOf(n);
    return new Promise((resolve, reject) => {
      sink(events, (err, accepted) => {
        if (err !== null) return reject(err);
        try {
          this.store.labelsEmitted(n, accepted);
          resolve(accepted);
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** The latest resolution of (subject, issue), for detectors that stay quiet after a case was cleared. */
  lastResolved(kind: OpenCaseInput['subjectKind'], id: string, issue: string): LastResolution | undefined {
    return this.store.lastResolved(kind, id, issue);
  }

  /** How much unresolved work waits, by urgency (PRIORITY_BANDS): one count in the store, for dashboards polled often. */
  openByBand(): Record<PriorityBand, number> {
    return this.store.openByBand();
  }

  /** Open and investigating cases of a subject. */
  activeFor(kind: OpenCaseInput['subjectKind'], id: string): CaseSummary[] {
    return this.store.activeFor(kind, id);
  }

  private need(id: string): number {
    const n = caseNumber(id);
    if (n === null || this.store.summary(n) === undefined) throw new NotFoundError(`no case ${JSON.stringify(id)}`);
    return n;
  }

  private unresolved(n: number, what: string): CaseSummary {
    const c = this.store.summary(n)!;
    if (c.status === 'resolved') {
      throw new ConflictError(
        `case ${c.id} was resolved as ${c.resolution} by ${c.resolvedBy} at ${new Date(c.resolvedAt ?? 0).toISOString()}; ` +
          `a resolved case cannot be ${what} (a new finding opens a new case)`,
      );
    }
    return c;
  }
}
