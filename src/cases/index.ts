/**
 * Wiring of the case service for a server: the service over the data folder's file (constructed
 * once, in server.ts, and handed to modules as `parts.cases`), and the journal feed that opens
 * cases from decisions and detectors (started by the cases module, routes/cases.ts).
 */
import type { Database } from 'better-sqlite3';
import type { Engine } from '../engine/engine.js';
import type { AuditLog } from '../audit/log.js';
import { SqliteCaseStore } from '../store/sqlite/cases.js';
import type { DecisionService } from '../server/service.js';
import { CaseService } from './service.js';

/** The parts of a running server the case service needs. */
export interface CaseServiceParts {
  /** The store's connection (cases live beside the journal, audited on the same connection). */
  readonly db: Database;
  readonly audit: AuditLog;
  readonly engine: Engine;
  /** Where resolution labels are applied and journaled. */
  readonly decisions: DecisionService;
}

/** The server's case service: labels of resolutions go through the decision service at the engine's time. */
export function createCaseService(p: CaseServiceParts): CaseService {
  return new CaseService({
    store: new SqliteCaseStore(p.db),
    audit: p.audit,
    labels: (events, cb) => p.decisions.accept(events, (err, n) => cb(err, n)),
    // a label counts from its own time: never before the payments it names
    labelClock: () => Math.max(Date.now(), Number.isFinite(p.engine.now) ? p.engine.now : 0),
  });
}
