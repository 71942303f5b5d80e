// The contract every AccountStore adapter passes: append-only actions and appeals, each stored with
// its audit record or not at all, read back in the orders the views and the replay need, and the
// journaled payments the views show, read beside the journal. Every port call (and the journal's
// append) is awaited (a value satisfies await), so the same suite runs against an adapter that answers later.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountStore } from '../../../src/accounts/store.js';
import type { AccountActionRecord, AppealRecord } from '../../../src/accounts/types.js';
import type { AuditLog, AuditRecord } from '../../../src/audit/log.js';
import type { JournalEntry } from '../../../src/log/journal.js';
import { andThen, contractIt, type Open } from './harness.js';

/**
 * Where the suite puts the journaled entries the store reads payments from: the data folder's journal
 * (SQLite, at once), or what a cluster's projector writes (PostgreSQL, later); awaited either way.
 */
export interface JournalFeed {
  append(batch: readonly JournalEntry[]): void | Promise<void>;
}

/** The account store, the audit log sharing its transactions, and the journal it reads payments from. */
export interface AccountsUnderTest {
  readonly accounts: AccountStore;
  /** Of the store's kind: the store writes through it inside its transactions. */
  readonly audit: AuditLog;
  readonly journal: JournalFeed;
}

const T = 1_700_000_000_000;

function action(accountId: string, journalSeq: number, extra: Partial<AccountActionRecord> = {}): Omit<AccountActionRecord, 'id'> {
  return { accountId, action: 'freeze', reason: 'mule ring', author: 'key_admin', at: T, expiresAt: null, limit: null, journalSeq, ...extra };
}

/** A journaled payment of `account`. */
export function payment(seq: number, account: string): JournalEntry {
  const id = `tx-${seq}`;
  return {
    seq, type: 'transaction', txId: id,
    event: JSON.stringify({ type: 'transaction', id, ts: '2026-11-24T21:05:09+08:00', accountId: account, amount: 100 * seq }),
    decision: JSON.stringify({ txId: id, outcome: 'approve', score: 1, reasons: [] }),
    receivedAt: T + seq,
  };
}

/** A journaled event that is no payment. */
export function registration(seq: number, account: string): JournalEntry {
  return { seq, type: 'account', txId: null, event: JSON.stringify({ type: 'account', accountId: account }), decision: null, receivedAt: T + seq };
}

const audited = (log: AuditLog) => ({
  record: (what: string) => (stored: { id: number }): AuditRecord => ({ actor: 'key_admin', action: what, target: `accounts/x/${stored.id}`, after: stored }),
  // of the log's kind: a value at once, a promise the adapter awaits inside its transaction
  append: (r: AuditRecord): void | Promise<void> => andThen(log.append(r), () => undefined),
});

/** Registers the AccountStore suite for one adapter. */
export function accountActionsContract(name: string, open: Open<AccountsUnderTest>): void {
  describe(`AccountStore contract: ${name}`, () => {
    contractIt(open, 'stores an action, numbered, with the audit record made of the stored action', async (_h, { accounts: s, audit }) => {
      assert.deepEqual(await s.allActions(), []);
      const a = audited(audit);
      const first = await s.addAction(action('A1', 3), a.record('account.freeze'), a.append);
      assert.deepEqual(first, { id: first.id, ...action('A1', 3) });
      const second = await s.addAction(action('A1', 5, { action: 'lower_limit', limit: 50_000, expiresAt: T + 1000 }), a.record('account.lower_limit'), a.append);
      assert.ok(second.id > first.id);
      assert.deepEqual([second.limit, second.expiresAt], [50_000, T + 1000]);
      assert.deepEqual((await audit.list()).map((e) => [e.action, e.after]).reverse(), [['account.freeze', first], ['account.lower_limit', second]]);
    });

    contractIt(open, 'an action whose audit record fails is not stored', async (_h, { accounts: s, audit }) => {
      await assert.rejects(async () => s.addAction(action('A1', 1), () => {
        throw new Error('cannot describe');
      }, audited(audit).append), /cannot describe/);
      await assert.rejects(async () => s.addAction(action('A1', 1), audited(audit).record('x'), () => {
        throw new Error('audit disk full');
      }), /audit disk full/);
      assert.deepEqual([await s.allActions(), await s.actionsOf('A1', 10), await audit.list()], [[], [], []]);
    });

    contractIt(open, 'every action in the order it took effect; an account\'s latest first', async (_h, { accounts: s, audit }) => {
      const a = audited(audit);
      const x = await s.addAction(action('A1', 9), a.record('x'), a.append);
      const y = await s.addAction(action('A2', 2), a.record('x'), a.append);
      const z = await s.addAction(action('A1', 2, { action: 'unfreeze' }), a.record('x'), a.append);
      const w = await s.addAction(action('A1', 9, { action: 'require_step_up' }), a.record('x'), a.append);
      assert.deepEqual((await s.allActions()).map((r) => r.id), [y.id, z.id, x.id, w.id], 'journal position, then id');
      assert.deepEqual((await s.actionsOf('A1', 10)).map((r) => r.id), [w.id, z.id, x.id]);
      assert.deepEqual((await s.actionsOf('A1', 2)).map((r) => r.id), [w.id, z.id]);
      assert.deepEqual(await s.actionsOf('A3', 10), []);
    });

    contractIt(open, 'appeals take the id announced, with their audit record, newest first per account', async (_h, { accounts: s, audit }) => {
      assert.equal(await s.nextAppealId(), 1);
      const rec = (id: number, accountId: string, extra: Partial<AppealRecord> = {}): AppealRecord => ({
        id, accountId, txId: null, text: 'it was me', author: 'key_support', at: T + id, caseId: null, ...extra,
      });
      const a = audited(audit);
      assert.deepEqual(await s.addAppeal(rec(1, 'A1', { txId: 'tx-4', caseId: 'case-2' }), a.record('account.appeal'), a.append), rec(1, 'A1', { txId: 'tx-4', caseId: 'case-2' }));
      assert.equal(await s.nextAppealId(), 2);
      await s.addAppeal(rec(2, 'A2'), a.record('account.appeal'), a.append);
      await s.addAppeal(rec(3, 'A1'), a.record('account.appeal'), a.append);
      assert.deepEqual((await s.appealsOf('A1', 10)).map((x) => x.id), [3, 1]);
      assert.deepEqual((await s.appealsOf('A1', 1)).map((x) => x.id), [3]);
      await assert.rejects(async () => s.addAppeal(rec(4, 'A1'), a.record('account.appeal'), () => {
        throw new Error('audit disk full');
      }));
      assert.deepEqual([await s.nextAppealId(), (await s.appealsOf('A1', 10)).length, (await audit.list()).length], [4, 2, 3], 'a failed appeal is not stored');
      await assert.rejects(async () => s.addAppeal(rec(3, 'A1'), a.record('account.appeal'), a.append), 'an id is taken once');
    });

    contractIt(open, 'reads journaled payments by seq, in the order asked, and by transaction id', async (_h, { accounts: s, journal }) => {
      await journal.append([registration(1, 'A1'), payment(2, 'A1'), payment(3, 'A2'), payment(4, 'A1')]);
      const got = await s.payments([4, 1, 2, 99]);
      assert.deepEqual(got.map((p) => p.seq), [4, 2], 'a seq that is no payment is skipped');
      assert.deepEqual(got[0], { seq: 4, event: payment(4, 'A1').event, decision: payment(4, 'A1').decision });
      assert.deepEqual(await s.paymentByTxId('tx-3'), { seq: 3, event: payment(3, 'A2').event, decision: payment(3, 'A2').decision });
      assert.equal(await s.paymentByTxId('tx-404'), undefined);
      assert.deepEqual(await s.payments([]), []);
    });

    contractIt(open, 'actions and appeals survive a reopen', async (h, { accounts: s, audit }) => {
      const a = audited(audit);
      const x = await s.addAction(action('A1', 4), a.record('x'), a.append);
      await s.addAppeal({ id: 1, accountId: 'A1', txId: null, text: 't', author: 'k', at: T, caseId: null }, a.record('y'), a.append);
      const { accounts: again, audit: log } = await h.reopen();
      assert.deepEqual(await again.allActions(), [x]);
      assert.deepEqual([await again.nextAppealId(), (await again.appealsOf('A1', 5)).length, (await log.list()).length], [2, 1, 2]);
    });
  });
}
