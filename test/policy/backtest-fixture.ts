// The hand-built journal the backtest tests check their numbers against, on a real SQLite file in a
// temp folder (/tmp/bt-*), and the small draft policy whose decisions can be worked out by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent } from '../../src/contract/parse.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { compilePolicy, type PolicySource } from '../../src/rules/compile.js';
import type { CompiledPolicy, Outcome } from '../../src/rules/policy-types.js';
import type { JournalEntry } from '../../src/log/journal.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { account, at, DAY, DAY0, HOUR, MIN, registry } from '../engine/world.js';

type Obj = Record<string, unknown>;

/**
 * The draft: three rules over the amount and a one-hour count.
 * - BIG (amount ≥ ¥1,000): decline, no points.
 * - BURST (3+ payments by the account within 1 h, this one included): challenge, no points.
 * - MID (amount ≥ ¥500): 50 points → score 100·50/(50+50) = 50 ≥ review threshold 40 → review.
 * A ¥1,000+ payment matches BIG and MID: decline (the rule outcome beats the score's review), score 50.
 */
export const DRAFT_SOURCES: PolicySource[] = [
  {
    file: 'draft.fk',
    text: `
setting score.scale = 50
setting score.review = 40
feature tx_1h = count by account over 1h buckets 6

rule BIG
  when amount >= ¥1000
  outcome decline

rule BURST
  when tx_1h >= 3
  outcome challenge

rule MID
  when amount >= ¥500
  score 50
`,
  },
];

export function draftPolicy(): CompiledPolicy {
  return compilePolicy(DRAFT_SOURCES, BUILTINS, 'draft');
}

/** The range of the hand-built journal: one day from DAY0 (2026-11-10 00:00 +08:00), to exclusive. */
export const FROM = DAY0;
export const TO = DAY0 + DAY;

/** A live answer as the server stores it. */
export function liveDecision(txId: string, seq: number, outcome: Outcome, score: number, codes: string[], policy = 'live-v1'): string {
  return JSON.stringify({ txId, outcome, score, reasons: codes.map((code) => ({ code })), policy, seq, latencyUs: 7 });
}

/** A payment at M1/T1 by `accountId` of `yuan` at `ms` after DAY0. */
export function payment(id: string, accountId: string, yuan: number, ms: number): Obj {
  return {
    type: 'transaction', id, ts: at(ms), accountId, amount: yuan * 100, currency: 'CNY', merchantId: 'M1',
    terminalId: 'T1', mcc: '5411', acquirerId: '48021000', channel: 'qr',
  };
}

export function label(ms: number, target: Obj, fraud: boolean, typology?: string): Obj {
  return { type: 'label', ts: at(ms), ...target, fraud, ...(typology === undefined ? {} : { typology, source: 'chargeback' }) };
}

/** Journal entries from raw events (validated as the server does) and live answers for payments. */
export class EntryBuilder {
  readonly entries: JournalEntry[] = [];
  constructor(private seq = 0) {}

  event(raw: Obj): number {
    const e = parseEvent(raw);
    const seq = ++this.seq;
    this.entries.push({ seq, type: e.type, txId: null, event: JSON.stringify(e), decision: null, receivedAt: 1 });
    return seq;
  }

  payment(raw: Obj, outcome: Outcome, score: number, codes: string[] = []): number {
    const e = parseEvent(raw);
    if (e.type !== 'transaction') throw new Error('not a payment');
    const seq = ++this.seq;
    this.entries.push({
      seq, type: 'transaction', txId: e.id, event: JSON.stringify(e), decision: liveDecision(e.id, seq, outcome, score, codes), receivedAt: 1,
    });
    return seq;
  }
}

/**
 * The journal, in seq order (times relative to DAY0 = FROM; TO = FROM + 1 day):
 *   1–11  acquirers, merchants, terminals (−100 d)       12–14 accounts A1, A2, A3 (−90 d)
 *   15 p0  A1 ¥800   −2 d     live approve               (warm-up only)
 *   16 w1  A2 ¥20    −20 min  live approve               (warm-up only)
 *   17 w2  A2 ¥20    −10 min  live approve               (warm-up only)
 *   18 t1  A2 ¥20    0 (= FROM, inclusive)  live approve []
 *   19 t2  A1 ¥100   +1 h     live approve []
 *   20 t3  A1 ¥600   +2h10    live approve [MEDIUM_AMOUNT] score 20
 *   21 t4  A1 ¥1500  +3h20    live review  [LARGE_AMOUNT, MEDIUM_AMOUNT] score 45
 *   22 t5  A3 ¥300   +4 h     live decline [BLOCKED_ACCOUNT]
 *   23 t6  A3 ¥700   +5h10    live decline [BLOCKED_ACCOUNT, MEDIUM_AMOUNT] score 20
 *   24 label t1 fraud (+6 h, inside the range)
 *   25 t7  A1 ¥2000  +6h30    live decline [LARGE_AMOUNT, MEDIUM_AMOUNT] score 85
 *   26 label t3 fraud (+7 h)
 *   27 t8  A2 ¥50    +23h59   live approve []
 *   28 t9  A1 ¥100   +24 h (= TO, exclusive: replayed in the grace hour, not compared)  live approve
 *   29 label account A3 fraud (TO + 2 d: after the range, known now; stops the replay, t ≥ TO + 1 h)
 *   30 label t4 fraud, account_takeover (TO + 5 d)
 *   31 label t3 NOT fraud (TO + 6 d: the investigation cleared it; the latest label wins)
 *   32 t10 A1 ¥100  TO + 6 d + 1 h  live approve          (never read)
 */
export function handJournal(): JournalEntry[] {
  const b = new EntryBuilder();
  for (const e of registry()) b.event(e);
  for (const id of ['A1', 'A2', 'A3']) b.event(account(id));
  b.payment(payment('p0', 'A1', 800, -2 * DAY), 'approve', 0);
  b.payment(payment('w1', 'A2', 20, -20 * MIN), 'approve', 0);
  b.payment(payment('w2', 'A2', 20, -10 * MIN), 'approve', 0);
  b.payment(payment('t1', 'A2', 20, 0), 'approve', 0);
  b.payment(payment('t2', 'A1', 100, HOUR), 'approve', 0);
  b.payment(payment('t3', 'A1', 600, 2 * HOUR + 10 * MIN), 'approve', 20, ['MEDIUM_AMOUNT']);
  b.payment(payment('t4', 'A1', 1500, 3 * HOUR + 20 * MIN), 'review', 45, ['LARGE_AMOUNT', 'MEDIUM_AMOUNT']);
  b.payment(payment('t5', 'A3', 300, 4 * HOUR), 'decline', 0, ['BLOCKED_ACCOUNT']);
  b.payment(payment('t6', 'A3', 700, 5 * HOUR + 10 * MIN), 'decline', 20, ['BLOCKED_ACCOUNT', 'MEDIUM_AMOUNT']);
  b.event(label(6 * HOUR, { txId: 't1' }, true, 'small_burst'));
  b.payment(payment('t7', 'A1', 2000, 6 * HOUR + 30 * MIN), 'decline', 85, ['LARGE_AMOUNT', 'MEDIUM_AMOUNT']);
  b.event(label(7 * HOUR, { txId: 't3' }, true));
  b.payment(payment('t8', 'A2', 50, 23 * HOUR + 59 * MIN), 'approve', 0);
  b.payment(payment('t9', 'A1', 100, DAY), 'approve', 0);
  b.event(label(DAY + 2 * DAY, { accountId: 'A3' }, true, 'account_anomaly'));
  b.event(label(DAY + 5 * DAY, { txId: 't4' }, true, 'account_takeover'));
  b.event(label(DAY + 6 * DAY, { txId: 't3' }, false));
  b.payment(payment('t10', 'A1', 100, DAY + 6 * DAY + HOUR), 'approve', 0);
  return b.entries;
}

/** A fresh store in /tmp/bt-* holding `entries`; `cleanup` removes the folder. */
export function tempStore(entries: readonly JournalEntry[]): { store: SqliteStore; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bt-test-'));
  const store = new SqliteStore(join(dir, 'data'));
  store.append(entries);
  return {
    store,
    dir: join(dir, 'data'),
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
