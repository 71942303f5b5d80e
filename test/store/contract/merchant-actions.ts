// The contract every MerchantActionStore adapter passes: holds and suspensions numbered in order, at
// most one open per merchant (hold) and per terminal (suspension), closed rather than deleted,
// read back newest first per merchant and oldest first for the replay, and committed with the
// audit log in one transaction or not at all. Every port call is awaited, or chained inside a
// transaction (andThen, inOrder), so the same suite runs against an adapter that answers later.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditLog } from '../../../src/audit/log.js';
import { ConflictError, NotFoundError } from '../../../src/errors.js';
import type { MerchantActionStore, NewMerchantAction } from '../../../src/merchants/store.js';
import { andThen, contractIt, inOrder, type Open } from './harness.js';

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
    contractIt(open, 'stores an action open, as given, numbered in order', async (_h, { merchants: s }) => {
      assert.deepEqual(await s.everything(), []);
      const a = await s.transaction(() => s.insert(hold('M1', { expiresAt: T + 1000 })));
      assert.deepEqual(a, { id: a.id, ...hold('M1', { expiresAt: T + 1000 }), releasedAt: null, releasedBy: null, releaseReason: null, toSeq: null });
      const b = await s.transaction(() => s.insert(suspend('M1', 'T1')));
      assert.ok(b.id > a.id);
      assert.deepEqual(await s.get(b.id), b);
      assert.equal(await s.get(b.id + 100), undefined);
      assert.deepEqual(await s.openHoldOf('M1'), a);
      assert.deepEqual(await s.openSuspensionOf('T1'), b);
      assert.equal(await s.openHoldOf('M2'), undefined);
      assert.equal(await s.openSuspensionOf('T2'), undefined);
    });

    contractIt(open, 'a second open hold of a merchant, or suspension of a terminal, is a Conflict', async (_h, { merchants: s }) => {
      await s.transaction(() =>
        inOrder(
          () => s.insert(hold('M1')),
          () => s.insert(suspend('M1', 'T1')),
        ),
      );
      await assert.rejects(async () => s.transaction(() => s.insert(hold('M1', { reason: 'again' }))), ConflictError);
      await assert.rejects(async () => s.transaction(() => s.insert(suspend('M1', 'T1'))), ConflictError);
      await s.transaction(() =>
        inOrder(
          () => s.insert(hold('M2')),
          () => s.insert(suspend('M1', 'T2')),
        ),
      );
      assert.equal((await s.everything()).length, 4);
      assert.equal((await s.openHoldOf('M1'))?.reason, 'chargebacks');
    });

    contractIt(open, 'closing records who, why and where; a closed action stays closed; a new one may follow', async (_h, { merchants: s }) => {
      const a = await s.transaction(() => s.insert(hold('M1')));
      const closed = await s.transaction(() => s.closeAction(a.id, T + 50, 'key_lead', 'resolved', 42));
      assert.deepEqual(closed, { ...a, releasedAt: T + 50, releasedBy: 'key_lead', releaseReason: 'resolved', toSeq: 42 });
      assert.equal(await s.openHoldOf('M1'), undefined);
      assert.deepEqual(await s.transaction(() => s.closeAction(a.id, T + 99, 'someone', 'again', 99)), closed, 'closing twice changes nothing');
      const b = await s.transaction(() => s.insert(hold('M1', { fromSeq: 50 })));
      assert.deepEqual(await s.openHoldOf('M1'), b);
      await assert.rejects(async () => s.closeAction(b.id + 100, T, 'k', 'r', 1), NotFoundError);
    });

    contractIt(open, 'a merchant\'s history newest first, at most a limit; everything oldest first', async (_h, { merchants: s }) => {
      const ids: number[] = [];
      const insert = (a: NewMerchantAction) => () => andThen(s.insert(a), (stored) => void ids.push(stored.id));
      await s.transaction(() => inOrder(insert(hold('M1')), insert(hold('M2')), insert(suspend('M1', 'T1')), insert(suspend('M1', 'T2'))));
      assert.deepEqual((await s.history('M1')).map((x) => x.id), [ids[3], ids[2], ids[0]]);
      assert.deepEqual((await s.history('M1', 2)).map((x) => x.id), [ids[3], ids[2]]);
      assert.deepEqual(await s.history('M9'), []);
      assert.deepEqual((await s.everything()).map((x) => x.id), ids);
    });

    contractIt(open, 'a transaction commits the action with its audit record, or neither when it throws', async (_h, { merchants: s, audit }) => {
      // the steps inside are chained, not awaited: an SQLite transaction cannot span an await
      await assert.rejects(async () => s.transaction(() =>
        andThen(s.insert(hold('M1')), (a) =>
          andThen(audit.append({ actor: 'key_ana', action: 'merchant.hold', target: 'merchants/M1', after: a }), () => {
            throw new Error('rule missing');
          }),
        ),
      ), /rule missing/);
      assert.deepEqual([await s.everything(), await s.openHoldOf('M1'), await audit.list()], [[], undefined, []]);
      const a = await s.transaction(() => s.insert(hold('M1')));
      await assert.rejects(async () => s.transaction(() =>
        andThen(s.closeAction(a.id, T, 'k', 'r', 11), () => {
          throw new Error('no');
        }),
      ));
      assert.equal((await s.openHoldOf('M1'))?.id, a.id, 'the close was rolled back');
    });

    contractIt(open, 'actions, open and closed, survive a reopen', async (h, { merchants: s }) => {
      const a = await s.transaction(() => s.insert(hold('M1')));
      const b = await s.transaction(() => s.insert(suspend('M1', 'T1')));
      const closed = await s.transaction(() => s.closeAction(a.id, T + 1, 'k', 'r', 12));
      const { merchants: again } = await h.reopen();
      assert.deepEqual(await again.everything(), [closed, b]);
      assert.deepEqual(await again.openSuspensionOf('T1'), b);
    });
  });
}
