// The contract every AccountStore adapter passes: append-only actions and appeals, each stored with
// its audit record or not at all, read back in the orders the views and the replay need, and the
// journaled payments the views show, read beside the journal.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountStore } from '../../../src/accounts/store.js';
import type { AccountActionRecord, AppealRecord } from '../../../src/accounts/types.js';
import type { AuditLog, AuditRecord } from '../../../src/audit/log.js';
import type { Journal, JournalEntry } from '../../../src/log/journal.js';
import { contractIt, type Open } from './harness.js';

/** The account store, the audit log sharing its transactions, and the journal it reads payments from. */
export interface AccountsUnderTest {
  readonly accounts: AccountStore;
  readonly audit: AuditLog<'sync'>;
  readonly journal: Journal;
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
  append: (r: AuditRecord): void => void log.append(r),
});

/** Registers the AccountStore suite for one adapter. */
export function accountActionsContract(name: string, open: Open<AccountsUnderTest>): void {
  describe(`AccountStore contract: ${name}`, () => {
    contractIt(open, 'stores an action, numbered, with the audit record made of the stored action', (_h, { accounts: s, audit }) => {
      assert.deepEqual(s.allActions(), []);
      const a = audited(audit);
      const first = s.addAction(action('A1', 3), a.record('account.freeze'), a.append);
      assert.deepEqual(first, { id: first.id, ...action('A1', 3) });
      const second = s.addAction(action('A1', 5, { action: 'lower_limit', limit: 50_000, expiresAt: T + 1000 }), a.record('account.lower_limit'), a.append);
      assert.ok(second.id > first.id);
      assert.deepEqual([second.limit, second.expiresAt], [50_000, T + 1000]);
      assert.deepEqual(audit.list().map((e) => [e.action, e.after]).reverse(), [['account.freeze', first], ['account.lower_limit', second]]);
    });

    contractIt(open, 'an action whose audit record fails is not stored', (_h, { accounts: s, audit }) => {
      assert.throws(() => s.addAction(action('A1', 1), () => {
        throw new Error('cannot describe');
      }, (r) => void audit.append(r)), /cannot describe/);
      assert.throws(() => s.addAction(action('A1', 1), audited(audit).record('x'), () => {
        throw new Error('audit disk full');
      }), /audit disk full/);
      assert.deepEqual([s.allActions(), s.actionsOf('A1', 10), audit.list()], [[], [], []]);
    });

    contractIt(open, 'every action in the order it took effect; an account\'s latest first', (_h, { accounts: s, audit }) => {
      const a = audited(audit);
      const x = s.addAction(action('A1', 9), a.record('x'), a.append);
      const y = s.addAction(action('A2', 2), a.record('x'), a.append);
      const z = s.addAction(action('A1', 2, { action: 'unfreeze' }), a.record('x'), a.append);
      const w = s.addAction(action('A1', 9, { action: 'require_step_up' }), a.record('x'), a.append);
      assert.deepEqual(s.allActions().map((r) => r.id), [y.id, z.id, x.id, w.id], 'journal position, then id');
      assert.deepEqual(s.actionsOf('A1', 10).map((r) => r.id), [w.id, z.id, x.id]);
      assert.deepEqual(s.actionsOf('A1', 2).map((r) => r.id), [w.id, z.id]);
      assert.deepEqual(s.actionsOf('A3', 10), []);
    });

    contractIt(open, 'appeals take the id announced, with their audit record, newest first per account', (_h, { accounts: s, audit }) => {
      assert.equal(s.nextAppealId(), 1);
      const rec = (id: number, accountId: string, extra: Partial<AppealRecord> = {}): AppealRecord => ({
        id, accountId, txId: null, text: 'it was me', author: 'key_support', at: T + id, caseId: null, ...extra,
      });
      const a = audited(audit);
      assert.deepEqual(s.addAppeal(rec(1, 'A1', { txId: 'tx-4', caseId: 'case-2' }), a.record('account.appeal'), a.append), rec(1, 'A1', { txId: 'tx-4', caseId: 'case-2' }));
      assert.equal(s.nextAppealId(), 2);
      s.addAppeal(rec(2, 'A2'), a.record('account.appeal'), a.append);
      s.addAppeal(rec(3, 'A1'), a.record('account.appeal'), a.append);
      assert.deepEqual(s.appealsOf('A1', 10).map((x) => x.id), [3, 1]);
      assert.deepEqual(s.appealsOf('A1', 1).map((x) => x.id), [3]);
      assert.throws(() => s.addAppeal(rec(4, 'A1'), a.record('account.appeal'), () => {
        throw new Error('audit disk full');
      }));
      assert.deepEqual([s.nextAppealId(), s.appealsOf('A1', 10).length, audit.list().length], [4, 2, 3], 'a failed appeal is not stored');
      assert.throws(() => s.addAppeal(rec(3, 'A1'), a.record('account.appeal'), a.append), 'an id is taken once');
    });

    contractIt(open, 'reads journaled payments by seq, in the order asked, and by transaction id', (_h, { accounts: s, journal }) => {
      journal.append([registration(1, 'A1'), payment(2, 'A1'), payment(3, 'A2'), payment(4, 'A1')]);
      const got = s.payments([4, 1, 2, 99]);
      assert.deepEqual(got.map((p) => p.seq), [4, 2], 'a seq that is no payment is skipped');
      assert.deepEqual(got[0], { seq: 4, event: payment(4, 'A1').event, decision: payment(4, 'A1').decision });
      assert.deepEqual(s.paymentByTxId('tx-3'), { seq: 3, event: payment(3, 'A2').event, decision: payment(3, 'A2').decision });
      assert.equal(s.paymentByTxId('tx-404'), undefined);
      assert.deepEqual(s.payments([]), []);
    });

    contractIt(open, 'actions and appeals survive a reopen', async (h, { accounts: s, audit }) => {
      const a = audited(audit);
      const x = s.addAction(action('A1', 4), a.record('x'), a.append);
      s.addAppeal({ id: 1, accountId: 'A1', txId: null, text: 't', author: 'k', at: T, caseId: null }, a.record('y'), a.append);
      const { accounts: again, audit: log } = await h.reopen();
      assert.deepEqual(again.allActions(), [x]);
      assert.deepEqual([again.nextAppealId(), again.appealsOf('A1', 5).length, log.list().length], [2, 1, 2]);
    });
  });
}
