/**
 * Wiring of the case service for a server: the service over the store the composition root opened
 * (constructed once, in server.ts, and handed to modules as `parts.cases`), and the journal feed
 * that opens cases from decisions and detectors (started by the cases module, routes/cases.ts).
 */
import type { AuditLog } from '../audit/log.js';
import type { Engine } from '../engine/engine.js';
import type { EventIntake } from '../log/feed.js';
import { CaseService } from './service.js';
import type { CaseStore } from './store.js';

/** The parts of a running server the case service needs. */
export interface CaseServiceParts {
  /** The data folder's case store (its audit log shares its transactions). */
  readonly store: CaseStore<'sync'>;
  readonly audit: AuditLog<'sync'>;
  readonly engine: Engine;
  /** Where resolution labels are applied and journaled (the server's DecisionService). */
  readonly decisions: EventIntake;
}

/** The server's case service: labels of resolutions go through the decision service at the engine's time. */
export function createCaseService(p: CaseServiceParts): CaseService {
  return new CaseService({
    store: p.store,
    audit: p.audit,
    labels: (events, cb) => p.decisions.accept(events, (err, n) => cb(err, n)),
    // a label counts from its own time, on the clock decisions use: the stream's (the wall clock
    // before any event). A payment dated before it is judged without it (features/labels.ts), so a
    // wall-clock stamp would hide an analyst's verdict from a stream whose clock lags the wall's
    labelClock: () => p.engine.nowOr(Date.now()),
  });
}
