/**
 * The server's gauges on `/metrics` read from its parts at scrape time: the journal and the
 * recovery, the engine's memory, what the traffic feeds (registries, repayments, the issuer's
 * open-to-buy and where it contradicted the engine's arithmetic), the WAL checkpoints and, with
 * durability `process`, what a power loss could take now; and the event loop's stalls.
 */
import type { Engine } from '../engine/engine.js';
import { CONTRADICTION_WINDOW_MS } from '../features/credit-books.js';
import type { RecoveryReport } from '../log/recovery.js';
import type { ProcessDurableWriter } from '../store/sqlite/process-durable-writer.js';
import type { WalCheckpointer } from '../store/sqlite/wal-checkpointer.js';
import type { GroupCommit } from './group-commit.js';
import type { LoopStalls } from './loop-stalls.js';
import type { ServerMetrics } from './metrics.js';

/** The WAL checkpoints' figures, and with durability `process` what a power loss could take now. */
export function registerDurabilityGauges(m: ServerMetrics, wal: WalCheckpointer, writer: ProcessDurableWriter | null): void {
  m.gauge('fengkong_wal_checkpoints', 'WAL checkpoints run by the checkpoint thread since start.', () => wal.stats().checkpoints);
  m.gauge('fengkong_wal_checkpoint_seconds', 'Time the checkpoint thread spent copying the WAL back, since start.', () => wal.stats().seconds);
  m.gauge('fengkong_wal_bytes', 'Size of the WAL file at the last checkpoint (its high-water mark).', () => wal.stats().walBytes);
  m.gauge('fengkong_wal_restarts', 'Times the WAL started over from its beginning since start.', () => wal.stats().restarts);
  if (writer === null) return;
  m.gauge('fengkong_journal_unsynced_entries', 'Entries answered (durability process) and not yet fsynced: what a power loss could take now.', () => writer.unsynced().entries);
  m.gauge('fengkong_journal_unsynced_seconds', 'Age of the oldest answered entry not yet fsynced (durability process).', () => writer.unsynced().ms / 1000);
}

/** The journal's, the recovery's and the engine's figures, and what the traffic feeds (docs/server.md). */
export function registerGauges(m: ServerMetrics, commit: GroupCommit, r: RecoveryReport, engine: Engine): void {
  m.gauge('fengkong_journal_pending_entries', 'Entries decided and not yet durable (journal lag).', () => commit.pendingEntries);
  m.gauge('fengkong_journal_lag_seconds', 'Age of the oldest entry not yet durable.', () => commit.lagMs() / 1000);
  m.gauge('fengkong_journal_last_seq', 'Sequence number of the last journaled entry.', () => commit.lastSeq);
  m.gauge('fengkong_recovery_seconds', 'Time the last start took to replay the journal.', () => r.ms / 1000);
  m.gauge('fengkong_recovery_events', 'Events replayed from the journal at start.', () => r.events);
  m.gauge('fengkong_accounts', 'Accounts held in engine memory.', () => engine.accountCount);
  // what the traffic feeds: "never registered" and what is owed count only where it does (docs/server.md)
  const ref = engine.reference;
  m.gauge('fengkong_stream_merchant_registrations', 'Merchants registered by the traffic (0: UNREGISTERED_MERCHANT stays quiet).', () => ref.merchants.size);
  m.gauge('fengkong_stream_terminal_registrations', 'Terminals registered by the traffic (0: UNREGISTERED_TERMINAL stays quiet).', () => ref.terminals.size);
  m.gauge('fengkong_stream_acquirer_registrations', 'Acquirers registered by the traffic (0: ACQUIRER_UNKNOWN stays quiet).', () => ref.acquirers.size);
  m.gauge('fengkong_stream_account_registrations', 'Account events applied (0: UNREGISTERED_ACCOUNT stays quiet).', () => ref.accountRegistrations);
  m.gauge('fengkong_stream_repayments', 'Repayments reported (0: available credit and utilisation are unknown).', () => ref.repayments);
  m.gauge('fengkong_stream_issuer_credit_payments', "Payments that carried the issuer's open-to-buy (availableCredit).", () => ref.issuerCredit);
  m.gauge('fengkong_stream_credit_contradictions', "Payments the issuer authorised that the engine's own arithmetic of what is owed would have declined (the stream misses repayments or refunds).", () => ref.creditContradictions);
  m.gauge('fengkong_stream_own_credit_trusted', "1 while the engine's own arithmetic may decline over the limit; 0 for 7 days of event time after a contradiction.", () => (engine.now - ref.lastContradictionT < CONTRADICTION_WINDOW_MS ? 0 : 1));
}

/** The event loop's stalls: every answer in flight waits through one (loop-stalls.ts). */
export function registerLoopGauges(m: ServerMetrics, stalls: LoopStalls): void {
  m.family('fengkong_event_loop_stalls_total', 'Turns of the event loop that held every request in flight at least this many seconds, since start.', 'counter', 'at_least_seconds', () => stalls.stalls());
  m.gauge('fengkong_event_loop_stall_max_seconds', 'The longest stall of the event loop since start.', () => stalls.maxSeconds());
}
