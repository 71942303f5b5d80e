// The hand-built journal the risk report and rule performance tests check their numbers against, on
// a real SQLite file in a temp folder (/tmp/rep-test-*), with live answers written by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalEntry } from '../../src/log/journal.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { account, DAY, HOUR, MIN, registry } from '../engine/world.js';
import { EntryBuilder, FROM, label, payment, TO } from '../policy/backtest-fixture.js';
import { startTestServer, tempDir, type TestServer } from '../server/helpers.js';

export { FROM, TO };

type Obj = Record<string, unknown>;

/** A payment at another merchant and terminal. */
function at(m: string, t: string, p: Obj): Obj {
  return { ...p, merchantId: m, terminalId: t };
}

/**
 * The report journal (times from FROM = 2026-11-10 00:00 +08:00; the period is FROM … TO = FROM + 1 d,
 * the previous period FROM − 1 d … FROM):
 *
 *   1–11 registry, 12–15 accounts A1–A4
 *   previous period:
 *     q1 A1 ¥100  −20 h  M1/T1  approve   0  []
 *     q2 A2 ¥200  −10 h  M2/T2  approve   0  []
 *     q3 A4 ¥300  −5 h   M2/T2  review   45  [MEDIUM_AMOUNT]          (labelled fraud later)
 *     q4 A4 ¥50   −1 h   M2/T2  approve   5  []
 *   this period:
 *     c1 A1 ¥20   +0      M1/T1  approve   0  []                       label fraud (tx, +6 h)
 *     c2 A1 ¥600  +1h10   M1/T1  approve  25  [MEDIUM_AMOUNT]          fraud at TO+3 d, cleared at TO+4 d
 *     c3 A2 ¥1500 +1h40   M2/T2  review   45  [LARGE_AMOUNT, MEDIUM_AMOUNT]   label fraud (TO+2 d)
 *     c4 A3 ¥300  +3 h    M2/T2  decline  95  [BLOCKED_ACCOUNT]        fraud through A3's account label
 *     c5 A3 ¥700  +3h30   M3/T3  challenge 65 [MEDIUM_AMOUNT]          fraud through A3's account label
 *     c6 A1 ¥2000 +10 h   M1/T1  decline  85  [LARGE_AMOUNT, MEDIUM_AMOUNT]   no label
 *     c7 A2 ¥50   +23h59  M1/T1  approve   0  []                       no label
 *     c8 A1 ¥100  TO      M1/T1  approve   0  []   (not in the period)
 *   labels after: A3 account fraud (TO+1 d), c3 fraud (TO+2 d), c2 fraud (TO+3 d), c2 not fraud
 *   (TO+4 d), q3 fraud (TO+5 d)
 */
export function reportJournal(): JournalEntry[] {
  const b = new EntryBuilder();
  for (const e of registry()) b.event(e);
  for (const id of ['A1', 'A2', 'A3', 'A4']) b.event(account(id));
  b.payment(payment('q1', 'A1', 100, -20 * HOUR), 'approve', 0);
  b.payment(at('M2', 'T2', payment('q2', 'A2', 200, -10 * HOUR)), 'approve', 0);
  b.payment(at('M2', 'T2', payment('q3', 'A4', 300, -5 * HOUR)), 'review', 45, ['MEDIUM_AMOUNT']);
  b.payment(at('M2', 'T2', payment('q4', 'A4', 50, -1 * HOUR)), 'approve', 5);
  b.payment(payment('c1', 'A1', 20, 0), 'approve', 0);
  b.payment(payment('c2', 'A1', 600, HOUR + 10 * MIN), 'approve', 25, ['MEDIUM_AMOUNT']);
  b.payment(at('M2', 'T2', payment('c3', 'A2', 1500, HOUR + 40 * MIN)), 'review', 45, ['LARGE_AMOUNT', 'MEDIUM_AMOUNT']);
  b.payment(at('M2', 'T2', payment('c4', 'A3', 300, 3 * HOUR)), 'decline', 95, ['BLOCKED_ACCOUNT']);
  b.payment(at('M3', 'T3', payment('c5', 'A3', 700, 3 * HOUR + 30 * MIN)), 'challenge', 65, ['MEDIUM_AMOUNT']);
  b.event(label(6 * HOUR, { txId: 'c1' }, true, 'small_burst'));
  b.payment(payment('c6', 'A1', 2000, 10 * HOUR), 'decline', 85, ['LARGE_AMOUNT', 'MEDIUM_AMOUNT']);
  b.payment(payment('c7', 'A2', 50, 23 * HOUR + 59 * MIN), 'approve', 0);
  b.payment(payment('c8', 'A1', 100, DAY), 'approve', 0);
  b.event(label(DAY + DAY, { accountId: 'A3' }, true, 'account_anomaly'));
  b.event(label(DAY + 2 * DAY, { txId: 'c3' }, true, 'account_takeover'));
  b.event(label(DAY + 3 * DAY, { txId: 'c2' }, true));
  b.event(label(DAY + 4 * DAY, { txId: 'c2' }, false));
  b.event(label(DAY + 5 * DAY, { txId: 'q3' }, true));
  return b.entries;
}

/** A fresh store in /tmp/rep-test-* holding `entries`; `cleanup` removes the folder. */
export function tempStore(entries: readonly JournalEntry[]): { store: SqliteStore; dir: string; root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'rep-test-'));
  const dir = join(root, 'data');
  const store = new SqliteStore(dir);
  store.append(entries);
  return {
    store,
    dir,
    root,
    cleanup: () => {
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A real server over a fresh folder whose journal is the report journal (recovered at start). */
export async function serverOverReportJournal(): Promise<TestServer> {
  const dir = tempDir('rep-srv-');
  const store = new SqliteStore(dir);
  store.append(reportJournal());
  store.close();
  return startTestServer({ dir });
}
