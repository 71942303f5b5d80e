// The contract every AuditLog adapter passes: an append-only record, numbered in order, read back
// newest first through filters that narrow (exact or prefix) and a cursor that pages backwards;
// every entry chained to the one before it by hash, so tampering with the store shows. Every port
// call is awaited (a value satisfies await), so the same suite runs against an adapter that answers later.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_MAX_PAGE, type AuditEntry, type AuditLog, type AuditRecord } from '../../../src/audit/log.js';
import { ChainVerifier, entryHash, GENESIS_HASH } from '../../../src/audit/chain.js';
import { anotherOf, contractIt, type Open } from './harness.js';

const rec = (actor: string, action: string, target: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({ actor, action, target, ...extra });

/** Registers the AuditLog suite for one adapter. */
export function auditContract(name: string, open: Open<AuditLog>): void {
  describe(`AuditLog contract: ${name}`, () => {
    contractIt(open, 'appends numbered entries stamped with the time, before and after as given', async (_h, log) => {
      assert.deepEqual(await log.list(), []);
      const t0 = Date.now();
      const a = await log.append(rec('key_a', 'list.create', 'lists/x', { after: { name: 'x', n: [1, 2], deep: { ok: true } } }));
      const b = await log.append(rec('cli:ops', 'key.revoke', 'keys/key_1'));
      assert.deepEqual([a.seq + 1, b.seq], [b.seq, a.seq + 1], 'numbered in order');
      assert.ok(a.at >= t0 - 1000 && a.at <= Date.now() + 1000);
      assert.deepEqual([a.before, b.before, b.after], [null, null, null], 'absent snapshots read as null');
      assert.deepEqual(await log.list(), [b, a], 'newest first, exactly as appended');
    });

    contractIt(open, 'filters by actor, exact or prefix action and target, and time', async (_h, log) => {
      await log.append(rec('key_a', 'list.entry.add', 'lists/block_devices/d1'));
      await log.append(rec('key_b', 'list.create', 'lists/risky'));
      await log.append(rec('key_a', 'listing.other', 'listsx/y'));
      await log.append(rec('key_b', 'policy.publish', 'policies/7'));
      const actions = async (q: Parameters<AuditLog['list']>[0]): Promise<string[]> => (await log.list(q)).map((e) => e.action);
      assert.deepEqual(await actions({ actor: 'key_a' }), ['listing.other', 'list.entry.add']);
      assert.deepEqual(await actions({ action: 'list.' }), ['list.create', 'list.entry.add'], 'a prefix ends in a dot and matches whole words');
      assert.deepEqual(await actions({ action: 'list.create' }), ['list.create']);
      assert.deepEqual(await actions({ action: 'list' }), [], 'without the dot: exact');
      assert.deepEqual(await actions({ target: 'lists/' }), ['list.create', 'list.entry.add']);
      assert.deepEqual(await actions({ target: 'lists/risky' }), ['list.create']);
      assert.deepEqual(await actions({ actor: 'key_b', target: 'policies/' }), ['policy.publish'], 'filters combine');
      const all = await log.list();
      const cut = all[1].at;
      assert.ok((await log.list({ from: cut })).every((e) => e.at >= cut));
      assert.ok((await log.list({ to: cut })).every((e) => e.at < cut));
      assert.equal((await log.list({ from: all[0].at + 1 })).length, 0);
    });

    contractIt(open, 'prefix filters match literally: % and _ are no wildcards', async (_h, log) => {
      await log.append(rec('k', 'a_b.x', 'we_ird/1'));
      await log.append(rec('k', 'axb.x', 'weXird/1'));
      await log.append(rec('k', 'a%b.x', 'we%ird/1'));
      assert.deepEqual((await log.list({ action: 'a_b.' })).map((e) => e.action), ['a_b.x']);
      assert.deepEqual((await log.list({ target: 'we_ird/' })).map((e) => e.target), ['we_ird/1']);
      assert.deepEqual((await log.list({ action: 'a%b.' })).map((e) => e.action), ['a%b.x']);
    });

    contractIt(open, 'pages backwards with `before` and `limit`, bounded by AUDIT_MAX_PAGE', async (_h, log) => {
      for (let i = 0; i < 120; i++) await log.append(rec('k', 'x.y', `t/${i}`));
      assert.equal((await log.list()).length, 100, 'default page');
      const first = await log.list({ limit: 50 });
      assert.equal(first.length, 50);
      const second = await log.list({ limit: 50, before: first[first.length - 1].seq });
      assert.equal(second[0].seq, first[first.length - 1].seq - 1, 'the next page starts right below the cursor');
      const third = await log.list({ limit: 50, before: second[second.length - 1].seq });
      assert.equal(third.length, 20);
      const seqs = [...first, ...second, ...third].map((e) => e.seq);
      assert.equal(new Set(seqs).size, 120);
      assert.equal((await log.list({ limit: 0 })).length, 1, 'a limit below 1 reads one');
      assert.ok((await log.list({ limit: AUDIT_MAX_PAGE * 10 })).length <= AUDIT_MAX_PAGE);
    });

    contractIt(open, 'tails forwards with `after`: entries above the cursor, oldest first, a page at a time', async (_h, log) => {
      for (let i = 0; i < 30; i++) await log.append(rec('k', i % 3 === 0 ? 'case.open' : 'x.y', `t/${i}`));
      const all = (await log.list({ limit: 1000 })).map((e) => e.seq).reverse();
      const first = await log.list({ after: 0, limit: 10 });
      assert.deepEqual(first.map((e) => e.seq), all.slice(0, 10), 'the ten oldest, oldest first');
      const rest = await log.list({ after: first[first.length - 1].seq, limit: 100 });
      assert.deepEqual(rest.map((e) => e.seq), all.slice(10));
      assert.deepEqual(await log.list({ after: all[all.length - 1] }), [], 'nothing above the newest');
      const opens = await log.list({ after: all[5], action: 'case.open' });
      assert.ok(opens.every((e, i) => e.action === 'case.open' && e.seq > all[5] && (i === 0 || e.seq > opens[i - 1].seq)));
    });

    contractIt(open, 'entries survive a reopen, and numbering goes on after them', async (h, log) => {
      const a = await log.append(rec('key_a', 'mode.on', 'modes/m', { before: { active: false }, after: { active: true } }));
      const again = await h.reopen();
      assert.deepEqual(await again.list(), [a]);
      assert.ok((await again.append(rec('key_a', 'mode.off', 'modes/m'))).seq > a.seq);
    });

    contractIt(open, 'chains every entry to the one before by hash, from the genesis hash; the head is the newest', async (h, log) => {
      assert.deepEqual(await log.head(), { seq: 0, hash: GENESIS_HASH }, 'an empty log: seq 0 and the genesis hash');
      await log.append(rec('key_a', 'list.create', 'lists/x', { after: { b: 1, a: [1, { d: null, c: 'é' }] } }));
      await log.append(rec('cli:ops', 'key.revoke', 'keys/key_1', { before: { revokedAt: null }, after: { revokedAt: 5 } }));
      await log.append(rec('key_b', 'mode.on', 'modes/m'));
      const walked: AuditEntry[] = [];
      await log.forEachEntry((e) => void walked.push(e));
      assert.deepEqual(walked, (await log.list()).reverse(), 'forEachEntry: every entry, oldest first, as list reads it');
      let prev = GENESIS_HASH;
      for (const e of walked) {
        assert.equal(e.prevHash, prev, `entry ${e.seq} links to the one before`);
        assert.match(e.hash, /^[0-9a-f]{64}$/);
        assert.equal(e.hash, entryHash(e), `entry ${e.seq}: sha256 of its canonical fields and prevHash`);
        prev = e.hash;
      }
      assert.deepEqual(await log.head(), { seq: walked[2].seq, hash: walked[2].hash });
      const v = new ChainVerifier();
      await log.forEachEntry((e) => v.add(e));
      assert.deepEqual(v.verdict(), { ok: true, entries: 3, head: await log.head() });
      const stops: number[] = [];
      await log.forEachEntry((e) => (stops.push(e.seq), false));
      assert.equal(stops.length, 1, 'returning false stops the walk');
      // the chain goes on across a restart, and an entry appended returns what a read returns
      const again = await h.reopen();
      const d = await again.append(rec('key_b', 'mode.off', 'modes/m', { after: { x: undefined, y: [1] } }));
      assert.equal(d.prevHash, walked[2].hash);
      assert.deepEqual(await again.list({ limit: 1 }), [d]);
      assert.deepEqual(d.after, { y: [1] }, 'snapshots as JSON keeps them');
      assert.deepEqual(await again.head(), { seq: d.seq, hash: d.hash });
    });

    contractIt(open, 'a second handle appending in turn extends the same chain', async (h, log) => {
      const other = await anotherOf(h);
      const a = await log.append(rec('k', 'a.x', 't/1'));
      const b = await other.append(rec('k', 'a.y', 't/2'));
      const c = await log.append(rec('k', 'a.z', 't/3'));
      assert.deepEqual([b.prevHash, c.prevHash], [a.hash, b.hash]);
      const v = new ChainVerifier();
      await other.forEachEntry((e) => v.add(e));
      assert.equal(v.verdict().ok, true);
    });
  });
}
