// The contract every AuditLog adapter passes: an append-only record, numbered in order, read back
// newest first through filters that narrow (exact or prefix) and a cursor that pages backwards.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_MAX_PAGE, type AuditLog, type AuditRecord } from '../../../src/audit/log.js';
import { contractIt, type Open } from './harness.js';

const rec = (actor: string, action: string, target: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({ actor, action, target, ...extra });

/** Registers the AuditLog suite for one adapter. */
export function auditContract(name: string, open: Open<AuditLog>): void {
  describe(`AuditLog contract: ${name}`, () => {
    contractIt(open, 'appends numbered entries stamped with the time, before and after as given', (_h, log) => {
      assert.deepEqual(log.list(), []);
      const t0 = Date.now();
      const a = log.append(rec('key_a', 'list.create', 'lists/x', { after: { name: 'x', n: [1, 2], deep: { ok: true } } }));
      const b = log.append(rec('cli:ops', 'key.revoke', 'keys/key_1'));
      assert.deepEqual([a.seq + 1, b.seq], [b.seq, a.seq + 1], 'numbered in order');
      assert.ok(a.at >= t0 - 1000 && a.at <= Date.now() + 1000);
      assert.deepEqual([a.before, b.before, b.after], [null, null, null], 'absent snapshots read as null');
      assert.deepEqual(log.list(), [b, a], 'newest first, exactly as appended');
    });

    contractIt(open, 'filters by actor, exact or prefix action and target, and time', async (_h, log) => {
      log.append(rec('key_a', 'list.entry.add', 'lists/block_devices/d1'));
      log.append(rec('key_b', 'list.create', 'lists/risky'));
      log.append(rec('key_a', 'listing.other', 'listsx/y'));
      log.append(rec('key_b', 'policy.publish', 'policies/7'));
      const actions = (q: Parameters<AuditLog['list']>[0]): string[] => log.list(q).map((e) => e.action);
      assert.deepEqual(actions({ actor: 'key_a' }), ['listing.other', 'list.entry.add']);
      assert.deepEqual(actions({ action: 'list.' }), ['list.create', 'list.entry.add'], 'a prefix ends in a dot and matches whole words');
      assert.deepEqual(actions({ action: 'list.create' }), ['list.create']);
      assert.deepEqual(actions({ action: 'list' }), [], 'without the dot: exact');
      assert.deepEqual(actions({ target: 'lists/' }), ['list.create', 'list.entry.add']);
      assert.deepEqual(actions({ target: 'lists/risky' }), ['list.create']);
      assert.deepEqual(actions({ actor: 'key_b', target: 'policies/' }), ['policy.publish'], 'filters combine');
      const all = log.list();
      const cut = all[1].at;
      assert.ok(log.list({ from: cut }).every((e) => e.at >= cut));
      assert.ok(log.list({ to: cut }).every((e) => e.at < cut));
      assert.equal(log.list({ from: all[0].at + 1 }).length, 0);
    });

    contractIt(open, 'prefix filters match literally: % and _ are no wildcards', (_h, log) => {
      log.append(rec('k', 'a_b.x', 'we_ird/1'));
      log.append(rec('k', 'axb.x', 'weXird/1'));
      log.append(rec('k', 'a%b.x', 'we%ird/1'));
      assert.deepEqual(log.list({ action: 'a_b.' }).map((e) => e.action), ['a_b.x']);
      assert.deepEqual(log.list({ target: 'we_ird/' }).map((e) => e.target), ['we_ird/1']);
      assert.deepEqual(log.list({ action: 'a%b.' }).map((e) => e.action), ['a%b.x']);
    });

    contractIt(open, 'pages backwards with `before` and `limit`, bounded by AUDIT_MAX_PAGE', (_h, log) => {
      for (let i = 0; i < 120; i++) log.append(rec('k', 'x.y', `t/${i}`));
      assert.equal(log.list().length, 100, 'default page');
      const first = log.list({ limit: 50 });
      assert.equal(first.length, 50);
      const second = log.list({ limit: 50, before: first[first.length - 1].seq });
      assert.equal(second[0].seq, first[first.length - 1].seq - 1, 'the next page starts right below the cursor');
      const third = log.list({ limit: 50, before: second[second.length - 1].seq });
      assert.equal(third.length, 20);
      const seqs = [...first, ...second, ...third].map((e) => e.seq);
      assert.equal(new Set(seqs).size, 120);
      assert.equal(log.list({ limit: 0 }).length, 1, 'a limit below 1 reads one');
      assert.ok(log.list({ limit: AUDIT_MAX_PAGE * 10 }).length <= AUDIT_MAX_PAGE);
    });

    contractIt(open, 'entries survive a reopen, and numbering goes on after them', async (h, log) => {
      const a = log.append(rec('key_a', 'mode.on', 'modes/m', { before: { active: false }, after: { active: true } }));
      const again = await h.reopen();
      assert.deepEqual(again.list(), [a]);
      assert.ok(again.append(rec('key_a', 'mode.off', 'modes/m')).seq > a.seq);
    });
  });
}
