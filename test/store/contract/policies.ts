// The contract every PolicyStore adapter passes: versions with their files and models, four-eyes
// proposals, the publication history that says what was live when, incident modes, and `atomically`
// committing a change with its audit record or neither. Every port call is awaited, or chained inside
// a transaction, so the same suite runs against an adapter that answers later.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditLog } from '../../../src/audit/log.js';
import { ConflictError, NotFoundError } from '../../../src/errors.js';
import { modelHash, POLICY_MAX_PAGE, type NewPublication, type NewVersion, type PolicyStore } from '../../../src/policy/versions.js';
import { andThen, contractIt, type Open } from './harness.js';

/** The policy store and the audit log that shares its transactions (both of one kind). */
export interface PoliciesUnderTest {
  readonly policies: PolicyStore;
  readonly audit: AuditLog;
}

const SOURCES = [
  { file: '10-velocity.fk', text: 'rule A\n  when amount > 1\n  score 5\n' },
  { file: '20-lists.fk', text: 'rule B\n  when amount > 2\n  score 7\n' },
];
const draft = (extra: Partial<NewVersion> = {}): NewVersion => ({ parent: null, author: 'key_admin', description: 'a draft', sources: SOURCES, model: null, ...extra });
const pub = (version: number, extra: Partial<NewPublication> = {}): NewPublication => ({
  version, kind: 'publish', fromVersion: null, actor: 'key_b', proposedBy: 'key_a', proposalId: null, journalSeq: 0, reason: null, ...extra,
});

/** Registers the PolicyStore suite for one adapter. */
export function policiesContract(name: string, open: Open<PoliciesUnderTest>): void {
  describe(`PolicyStore contract: ${name}`, () => {
    contractIt(open, 'versions are numbered from 1, drafts, with their files as given', async (_h, { policies: s }) => {
      assert.equal(await s.nextVersion(), 1);
      assert.equal(await s.live(), undefined);
      const t0 = Date.now();
      const v1 = await s.createVersion(draft({ name: 'default' }));
      assert.deepEqual([v1.version, v1.parent, v1.name, v1.state, v1.modelHash, v1.author], [1, null, 'default', 'draft', null, 'key_admin']);
      assert.deepEqual(v1.sources, SOURCES);
      assert.ok(v1.createdAt >= t0 - 1000 && v1.createdAt <= Date.now() + 1000);
      const v2 = await s.createVersion(draft({ parent: 1, description: 'second' }));
      assert.deepEqual([v2.version, v2.name, v2.parent], [2, 'v2', 1], 'named v<N> unless a name is given');
      assert.equal(await s.nextVersion(), 3);
      assert.deepEqual(await s.version(1), v1);
      assert.equal(await s.version(99), undefined);
    });

    contractIt(open, 'a model is kept once per content, found by its hash', async (_h, { policies: s }) => {
      const model = JSON.stringify({ trees: [1, 2, 3] });
      const a = await s.createVersion(draft({ model }));
      const b = await s.createVersion(draft({ model }));
      assert.equal(a.modelHash, modelHash(model));
      assert.equal(b.modelHash, a.modelHash);
      assert.equal(await s.model(modelHash(model)), model);
      assert.equal(await s.model('0'.repeat(64)), undefined);
    });

    contractIt(open, 'lists versions newest first without their texts, paged', async (_h, { policies: s }) => {
      for (let i = 0; i < 5; i++) await s.createVersion(draft());
      const page = await s.versions({ limit: 2 });
      assert.deepEqual(page.map((v) => v.version), [5, 4]);
      assert.deepEqual(page[0].files, ['10-velocity.fk', '20-lists.fk']);
      assert.equal('sources' in page[0], false);
      assert.deepEqual((await s.versions({ before: 4, limit: 10 })).map((v) => v.version), [3, 2, 1]);
      assert.equal((await s.versions()).length, 5);
      assert.ok((await s.versions({ limit: POLICY_MAX_PAGE * 2 })).length <= POLICY_MAX_PAGE);
    });

    contractIt(open, 'a proposal moves from open to approved to published; pending while open or approved', async (_h, { policies: s }) => {
      await s.createVersion(draft());
      const p = await s.propose(1, 'key_a', 'please');
      assert.deepEqual([p.version, p.proposedBy, p.note, p.state, p.decidedBy, p.decidedAt, p.reason], [1, 'key_a', 'please', 'open', null, null, null]);
      assert.equal((await s.version(1))?.state, 'proposed');
      assert.deepEqual(await s.pendingProposal(1), p);
      const ok = await s.decideProposal(p.id, 'approved', 'key_b');
      assert.deepEqual([ok.state, ok.decidedBy, typeof ok.decidedAt], ['approved', 'key_b', 'number']);
      assert.equal((await s.pendingProposal(1))?.state, 'approved');
      assert.deepEqual((await s.approvedProposals()).map((x) => x.id), [p.id]);
      await s.decideProposal(p.id, 'published', 'key_b');
      assert.equal(await s.pendingProposal(1), undefined);
      assert.deepEqual(await s.approvedProposals(), []);
      const q = await s.propose(1, 'key_a', 'again');
      await s.decideProposal(q.id, 'rejected', 'key_c', 'not now');
      assert.deepEqual((await s.proposals(1)).map((x) => [x.id, x.state, x.reason]), [[q.id, 'rejected', 'not now'], [p.id, 'published', null]], 'newest first');
      assert.deepEqual(await s.proposals(2), []);
      await assert.rejects(async () => s.decideProposal(999, 'cancelled', 'k'), NotFoundError);
    });

    contractIt(open, 'publishing makes a version live and retires the one before; the history says what was live when', async (_h, { policies: s }) => {
      await s.createVersion(draft());
      await s.createVersion(draft());
      assert.equal(await s.wasPublished(1), false);
      const first = await s.publish(pub(1, { kind: 'import', proposedBy: null, actor: 'system' }));
      assert.deepEqual([first.version, first.kind, first.journalSeq], [1, 'import', 0]);
      assert.equal((await s.version(1))?.state, 'live');
      const second = await s.publish(pub(2, { fromVersion: 1, journalSeq: 40 }));
      assert.ok(second.seq > first.seq);
      assert.deepEqual([(await s.version(1))?.state, (await s.version(2))?.state], ['retired', 'live']);
      assert.deepEqual(await s.live(), second);
      const back = await s.publish(pub(1, { kind: 'rollback', fromVersion: 2, journalSeq: 90, reason: 'false positives' }));
      assert.deepEqual([(await s.version(1))?.state, (await s.version(2))?.state, (await s.live())?.reason], ['live', 'retired', 'false positives']);
      assert.deepEqual((await s.publications()).map((p) => p.seq), [back.seq, second.seq, first.seq]);
      assert.deepEqual(await s.publications({ before: back.seq, limit: 1 }), [second]);
      assert.equal(await s.wasPublished(2), true);
      await s.publish(pub(1, { journalSeq: 95 }));
      assert.equal((await s.version(1))?.state, 'live', 'publishing the live version again keeps it live');
    });

    contractIt(open, 'setState moves a version; an unknown version is NotFound', async (_h, { policies: s }) => {
      await s.createVersion(draft());
      await s.setState(1, 'rejected');
      assert.equal((await s.version(1))?.state, 'rejected');
      await assert.rejects(async () => s.setState(7, 'draft'), NotFoundError);
    });

    contractIt(open, 'incident modes: approved text keeps the on/off state; on in switch-on order; deleted when off', async (_h, { policies: s }) => {
      const define = async (name: string, description: string, rules: string, proposer: string, approver: string) => {
        await s.proposeMode(name, description, rules, proposer);
        return s.approveMode(name, approver);
      };
      const m = await define('cardtest', 'card testing wave', 'rule X\n  when amount < 5\n  score 50\n', 'key_a', 'key_z');
      assert.deepEqual([m.name, m.active, m.activeSince, m.activeBy, m.createdBy, m.updatedBy], ['cardtest', false, null, null, 'key_a', 'key_z']);
      await define('aaa', 'first by name', 'rule Y\n  when amount < 1\n  score 1\n', 'key_a', 'key_z');
      const on = await s.setModeActive('cardtest', true, 'key_b');
      assert.deepEqual([on.active, on.activeBy, typeof on.activeSince], [true, 'key_b', 'number']);
      await new Promise((r) => setTimeout(r, 5));
      await s.setModeActive('aaa', true, 'key_b');
      const edited = await define('cardtest', 'wave 2', 'rule X\n  when amount < 9\n  score 50\n', 'key_c', 'key_d');
      assert.deepEqual([edited.active, edited.description, edited.createdBy, edited.updatedBy], [true, 'wave 2', 'key_a', 'key_d']);
      assert.deepEqual((await s.modes()).map((x) => x.name), ['aaa', 'cardtest'], 'by name');
      assert.deepEqual((await s.activeModes()).map((x) => x.name), ['cardtest', 'aaa'], 'in the order switched on');
      const off = await s.setModeActive('cardtest', false, 'key_b');
      assert.deepEqual([off.active, off.activeSince, off.activeBy], [false, null, null]);
      await s.deleteMode('cardtest');
      assert.equal(await s.mode('cardtest'), undefined);
      await assert.rejects(async () => s.deleteMode('cardtest'), NotFoundError);
      await assert.rejects(async () => s.setModeActive('nope', true, 'k'), NotFoundError);
    });

    contractIt(open, 'incident modes: a proposal waits beside the approved definition until approved or dropped', async (_h, { policies: s }) => {
      const fresh = await s.proposeMode('wave', 'first', 'rule W\n  when amount < 5\n  score 50\n', 'key_a');
      assert.deepEqual([fresh.approvedAt, fresh.approvedBy, fresh.rules, fresh.description, fresh.active], [null, null, '', '', false], 'never approved: no definition');
      assert.deepEqual([fresh.proposal?.description, fresh.proposal?.proposedBy, typeof fresh.proposal?.proposedAt], ['first', 'key_a', 'number']);
      await assert.rejects(async () => s.approveMode('nope', 'key_b'), NotFoundError);
      const approved = await s.approveMode('wave', 'key_b');
      assert.deepEqual(
        [approved.rules, approved.description, approved.approvedBy, approved.approvedProposer, typeof approved.approvedAt, approved.proposal],
        ['rule W\n  when amount < 5\n  score 50\n', 'first', 'key_b', 'key_a', 'number', null],
      );
      await assert.rejects(async () => s.approveMode('wave', 'key_b'), ConflictError, 'nothing proposed');
      await s.setModeActive('wave', true, 'key_a');
      const pending = await s.proposeMode('wave', 'second', 'rule W\n  when amount < 9\n  score 50\n', 'key_c');
      assert.deepEqual([pending.rules, pending.description, pending.active, pending.proposal?.rules], ['rule W\n  when amount < 5\n  score 50\n', 'first', true, 'rule W\n  when amount < 9\n  score 50\n']);
      assert.equal((await s.activeModes())[0].rules, 'rule W\n  when amount < 5\n  score 50\n', 'the approved definition decides');
      const replaced = await s.proposeMode('wave', 'third', 'rule W\n  when amount < 7\n  score 50\n', 'key_d');
      assert.deepEqual([replaced.proposal?.description, replaced.proposal?.proposedBy], ['third', 'key_d'], 'a new proposal replaces the pending one');
      const dropped = await s.dropModeProposal('wave');
      assert.deepEqual([dropped.proposal, dropped.description, dropped.active], [null, 'first', true]);
      await assert.rejects(async () => s.dropModeProposal('nope'), NotFoundError);
    });

    contractIt(open, 'atomically commits everything it wrote with the audit record, or nothing when it throws', async (_h, { policies: s, audit }) => {
      // the steps inside are chained, not awaited: an SQLite transaction cannot span an await
      await assert.rejects(async () =>
        s.atomically(() =>
          andThen(s.createVersion(draft()), (v) =>
            andThen(s.publish(pub(v.version)), () =>
              andThen(audit.append({ actor: 'key_a', action: 'policy.publish', target: `policies/${v.version}` }), () => {
                throw new Error('swap failed');
              }),
            ),
          ),
        ),
      /swap failed/);
      assert.deepEqual([await s.nextVersion(), await s.live(), (await audit.list()).length], [1, undefined, 0]);
      const out = await s.atomically(() =>
        andThen(s.createVersion(draft()), (v) =>
          // nested: part of the outer transaction
          andThen(s.atomically(() => s.publish(pub(v.version))), () =>
            andThen(audit.append({ actor: 'key_a', action: 'policy.publish', target: `policies/${v.version}` }), () => v.version),
          ),
        ),
      );
      assert.deepEqual([out, (await s.live())?.version, (await audit.list()).length], [1, 1, 1]);
    });

    contractIt(open, 'everything survives a reopen', async (h, { policies: s }) => {
      const model = '{"m":1}';
      await s.createVersion(draft({ model }));
      await s.publish(pub(1));
      await s.propose(1, 'key_a', 'n');
      await s.proposeMode('m', 'd', 'rule Z\n  when amount < 1\n  score 1\n', 'key_a');
      await s.approveMode('m', 'key_b');
      await s.setModeActive('m', true, 'key_a');
      await s.proposeMode('m', 'd2', 'rule Z\n  when amount < 2\n  score 1\n', 'key_c');
      const { policies: again } = await h.reopen();
      assert.deepEqual([await again.nextVersion(), (await again.live())?.version, await again.model(modelHash(model)), (await again.pendingProposal(1))?.note], [2, 1, model, 'n']);
      assert.deepEqual((await again.activeModes()).map((m) => [m.name, m.description, m.approvedBy, m.proposal?.description, m.proposal?.proposedBy]), [['m', 'd', 'key_b', 'd2', 'key_c']]);
    });
  });
}
