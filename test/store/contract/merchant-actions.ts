// The contract every MerchantActionStore adapter passes: holds and suspensions numbered in order, at
// most one open per merchant (hold) and per terminal (suspension), closed rather than deleted,
// read back newest first per merchant and oldest first for the replay, and committed with the
// audit log in one transaction or not at all.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditLog } from '../../../src/audit/log.js';
import { ConflictError, NotFoundError } from '../../../src/errors.js';
import type { MerchantActionStore, NewMerchantAction } from '../../../src/merchants/store.js';
import { contractIt, type Open } from './harness.js';

/** The merchant action store and the audit log that shares its transactions. */
export interface MerchantsUnderTest {
  readonly merchants: MerchantActionStore;
  readonly audit: AuditLog;
}

const T = 1_700_000_000_000;
const hold = (merchantId: string, extra: Partial<NewMerchantAction> = {}): NewMerchantAction => ({
  merchantId, action: 'hold_settlement', terminalId: null, reason: 'chargebacks', actor: 'key_ana', createdAt: T, fromSeq: 10, expiresAt: null, ...extra,
});
const suspend = (merchantId: string, terminalId: string, extra: Partial<NewMerchantAction> = {}): NewMerchantAction => ({
  ...hold(merchantId), action: 'suspend_terminal', terminalId, reason: 'skimmer', actor: 'key_admin', ...extra,
});

/** Registers the MerchantActionStore suite for one adapter. */
export function merchantActionsContract(name: string, open: Open<MerchantsUnderTest>): void {
  describe(`MerchantActionStore contract: ${name}`, () => {
    contractIt(open, 'stores an action open, as given, numbered in order', (_h, { merchants: s }) => {
      assert.deepEqual(s.everything(), []);
      const a = s.transaction(() => s.insert(hold('M1', { expiresAt: T + 1000 })));
      assert.deepEqual(a, { id: a.id, ...hold('M1', { expiresAt: T + 1000 }), releasedAt: null, releasedBy: null, releaseReason: null, toSeq: null });
      const b = s.transaction(() => s.insert(suspend('M1', 'T1')));
      assert.ok(b.id > a.id);
      assert.deepEqual(s.get(b.id), b);
      assert.equal(s.get(b.id + 100), undefined);
      assert.deepEqual(s.openHoldOf('M1'), a);
      assert.deepEqual(s.openSuspensionOf('T1'), b);
      assert.equal(s.openHoldOf('M2'), undefined);
      assert.equal(s.openSuspensionOf('T2'), undefined);
    });

    contractIt(open, 'a second open hold of a merchant, or suspension of a terminal, is a Conflict', (_h, { merchants: s }) => {
      s.transaction(() => {
        s.insert(hold('M1'));
        s.insert(suspend('M1', 'T1'));
      });
      assert.throws(() => s.transaction(() => s.insert(hold('M1', { reason: 'again' }))), ConflictError);
      assert.throws(() => s.transaction(() => s.insert(suspend('M1', 'T1'))), ConflictError);
      s.transaction(() => {
        s.insert(hold('M2'));
        s.insert(suspend('M1', 'T2'));
      });
      assert.equal(s.everything().length, 4);
      assert.equal(s.openHoldOf('M1')?.reason, 'chargebacks');
    });

    contractIt(open, 'closing records who, why and where; a closed action stays closed; a new one may follow', (_h, { merchants: s }) => {
      const a = s.transaction(() => s.insert(hold('M1')));
      const closed = s.transaction(() => s.closeAction(a.id, T + 50, 'key_lead', 'resolved', 42));
      assert.deepEqual(closed, { ...a, releasedAt: T + 50, releasedBy: 'key_lead', releaseReason: 'resolved', toSeq: 42 });
      assert.equal(s.openHoldOf('M1'), undefined);
      assert.deepEqual(s.transaction(() => s.closeAction(a.id, T + 99, 'someone', 'again', 99)), closed, 'closing twice changes nothing');
      const b = s.transaction(() => s.insert(hold('M1', { fromSeq: 50 })));
      assert.deepEqual(s.openHoldOf('M1'), b);
      assert.throws(() => s.closeAction(b.id + 100, T, 'k', 'r', 1), NotFoundError);
    });

    contractIt(open, 'a merchant\'s history newest first, at most a limit; everything oldest first', (_h, { merchants: s }) => {
      const ids = s.transaction(() => [
        s.insert(hold('M1')).id,
        s.insert(hold('M2')).id,
        s.insert(suspend('M1', 'T1')).id,
        s.insert(suspend('M1', 'T2')).id,
      ]);
      assert.deepEqual(s.history('M1').map((x) => x.id), [ids[3], ids[2], ids[0]]);
      assert.deepEqual(s.history('M1', 2).map((x) => x.id), [ids[3], ids[2]]);
      assert.deepEqual(s.history('M9'), []);
      assert.deepEqual(s.everything().map((x) => x.id), ids);
    });

    contractIt(open, 'a transaction commits the action with its audit record, or neither when it throws', (_h, { merchants: s, audit }) => {
      assert.throws(() => s.transaction(() => {
        const a = s.insert(hold('M1'));
        audit.append({ actor: 'key_ana', action: 'merchant.hold', target: 'merchants/M1', after: a });
        throw new Error('rule missing');
      }), /rule missing/);
      assert.deepEqual([s.everything(), s.openHoldOf('M1'), audit.list()], [[], undefined, []]);
      const a = s.transaction(() => s.insert(hold('M1')));
      assert.throws(() => s.transaction(() => {
        s.closeAction(a.id, T, 'k', 'r', 11);
        throw new Error('no');
      }));
      assert.equal(s.openHoldOf('M1')?.id, a.id, 'the close was rolled back');
    });

    contractIt(open, 'actions, open and closed, survive a reopen', async (h, { merchants: s }) => {
      const a = s.transaction(() => s.insert(hold('M1')));
      const b = s.transaction(() => s.insert(suspend('M1', 'T1')));
      const closed = s.transaction(() => s.closeAction(a.id, T + 1, 'k', 'r', 12));
      const { merchants: again } = await h.reopen();
      assert.deepEqual(again.everything(), [closed, b]);
      assert.deepEqual(again.openSuspensionOf('T1'), b);
    });
  });
}
