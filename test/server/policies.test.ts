// The policy lifecycle through the HTTP API of a real server: a draft that does not compile (422,
// positioned diagnostics, nothing stored, nothing audited), a draft with its diff, four-eyes
// publishing (the proposer's own key is refused), rollback, role checks, the audit trail of every
// step, and a restart that keeps the live version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, baseWorld, HOUR, tx } from '../engine/world.js';
import { addAdmin, auditOf, decide, defaultFiles, draft, idOf } from '../policy/helpers.js';
import { call, feed, startTestServer, type TestServer } from './helpers.js';

const EXTRA = `# A rule only version 2 has.
rule BIG_QR
  description "A large QR payment"
  when amount >= ¥3000 and channel == "qr"
  outcome review
  reason BIG_QR_V2
`;

function v2Files(): Record<string, string> {
  const files = defaultFiles();
  files['00-settings.fk'] = files['00-settings.fk'].replace('setting score.review = 40', 'setting score.review = 35');
  files['70-extra.fk'] = EXTRA;
  return files;
}

let n = 0;
/** A payment by A2 at a fresh time, so decisions never collide. */
function pay(extra: Record<string, unknown> = {}): Record<string, unknown> {
  n++;
  return tx(HOUR + n * 60_000, { id: `pol-${n}`, accountId: 'A2', ...extra });
}

async function start(): Promise<{ s: TestServer; admin2: string }> {
  const s = await startTestServer();
  await feed(s.url, s.keys.admin, [...baseWorld(), account('A2')]);
  return { s, admin2: addAdmin(s.dir) };
}

test('version 1 is the configured policy, imported and published by system', async () => {
  const { s } = await start();
  try {
    const live = await call(s.url, '/v1/policies/live', { key: s.keys.analyst });
    assert.equal(live.status, 200, live.text);
    assert.equal(live.json.version, 1);
    assert.equal(live.json.policy, 'default');
    assert.equal(live.json.publication.kind, 'import');
    assert.equal(live.json.publication.actor, 'system');
    const v1 = await call(s.url, '/v1/policies/1', { key: s.keys.analyst });
    assert.equal(v1.json.state, 'live');
    assert.deepEqual(v1.json.files.map((f: { file: string }) => f.file), Object.keys(defaultFiles()));
    assert.equal(v1.json.compile.ok, true);
    assert.deepEqual(v1.json.compile.freshWindows, []);
    const imported = await auditOf(s, s.keys.analyst, 'policy.import');
    assert.equal(imported.length, 1);
    assert.equal(imported[0].actor, 'system');
    assert.equal(imported[0].after.version, 1);
  } finally {
    await s.close();
  }
});

test('a draft that does not compile is refused with every positioned diagnostic, and nothing is stored or audited', async () => {
  const { s } = await start();
  try {
    const files = defaultFiles();
    files['10-velocity.fk'] = files['10-velocity.fk'].replace('when small_tx_10m >= 5', 'when small_tx_10mm >= 5');
    files['70-extra.fk'] = 'rule BAD_TYPE\n  when amount == "a lot"\n  outcome review\n';
    const r = await draft(s, s.keys.admin, files, 'broken');
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'invalid_policy');
    const errors = (r.json.error.details as { code: string; file: string; line: number; column: number; severity: string; message: string }[]).filter(
      (d) => d.severity === 'error',
    );
    const unknown = errors.find((d) => d.code === 'FKR301');
    assert.ok(unknown, r.text);
    assert.equal(unknown.file, '10-velocity.fk');
    assert.equal(unknown.line, 5);
    assert.equal(unknown.column, 8);
    assert.match(unknown.message, /small_tx_10mm/);
    const typed = errors.find((d) => d.file === '70-extra.fk');
    assert.ok(typed, 'the second file\'s error is reported too');
    assert.equal(typed.line, 2);

    const validated = await call(s.url, '/v1/policies/validate', { key: s.keys.admin, body: { description: 'broken', files } });
    assert.equal(validated.status, 422);
    assert.deepEqual(validated.json.error.details, r.json.error.details);
    const fine = await call(s.url, '/v1/policies/validate', { key: s.keys.admin, body: { description: 'fine', files: v2Files() } });
    assert.equal(fine.status, 200, fine.text);
    assert.equal(fine.json.ok, true);
    assert.deepEqual(fine.json.diff.summary.rules.added, ['BIG_QR']);

    const list = await call(s.url, '/v1/policies', { key: s.keys.analyst });
    assert.deepEqual(list.json.versions.map((v: { version: number }) => v.version), [1]);
    assert.deepEqual(await auditOf(s, s.keys.analyst, 'policy.draft'), []);

    const badName = await draft(s, s.keys.admin, { '../x.fk': 'setting score.review = 30' });
    assert.equal(badName.status, 400);
    assert.equal(badName.json.error.path, 'files["../x.fk"]');
    const unknownParent = await draft(s, s.keys.admin, defaultFiles(), 'from nowhere', { parent: 99 });
    assert.equal(unknownParent.status, 404, unknownParent.text);
    const noDescription = await call(s.url, '/v1/policies', { key: s.keys.admin, body: { files: defaultFiles() } });
    assert.equal(noDescription.status, 400);
    assert.equal(noDescription.json.error.path, 'description');
  } finally {
    await s.close();
  }
});

test('four eyes: a draft with its diff, the proposer cannot approve, a second admin publishes, rollback returns', async () => {
  const { s, admin2 } = await start();
  try {
    // draft: diff against the parent, line by line and rule by rule
    const d = await draft(s, s.keys.admin, v2Files(), 'BIG_QR review; review threshold 35');
    assert.equal(d.status, 201, d.text);
    assert.equal(d.json.version, 2);
    assert.equal(d.json.parent, 1);
    assert.equal(d.json.state, 'draft');
    assert.equal(d.json.author, idOf(s.keys.admin));
    const diff = d.json.diff;
    assert.deepEqual(diff.files.map((f: { file: string; status: string }) => [f.file, f.status]), [
      ['00-settings.fk', 'modified'],
      ['70-extra.fk', 'added'],
    ]);
    const settingsHunk = diff.files[0].hunks[0].lines as string[];
    assert.ok(settingsHunk.includes('-setting score.review = 40'), settingsHunk.join('\n'));
    assert.ok(settingsHunk.includes('+setting score.review = 35'));
    assert.equal(diff.files[0].additions, 1);
    assert.equal(diff.files[0].deletions, 1);
    assert.deepEqual(diff.summary.rules, { added: ['BIG_QR'], removed: [], changed: [] });
    assert.deepEqual(diff.summary.settings, [{ name: 'score.review', before: 40, after: 35 }]);
    assert.deepEqual(diff.summary.windows, { added: [], removed: [], changed: [] });
    assert.equal(d.json.compile.ok, true);
    assert.deepEqual(d.json.compile.freshWindows, []);
    const shown = await call(s.url, '/v1/policies/2', { key: s.keys.analyst });
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.json.diff, diff);
    assert.equal(shown.json.files.find((f: { file: string }) => f.file === '70-extra.fk').text, EXTRA);

    // roles: analysts read but neither draft nor publish; the decide role reads nothing here
    assert.equal((await draft(s, s.keys.analyst, v2Files())).status, 403);
    assert.equal((await call(s.url, '/v1/policies/2/publish', { key: s.keys.analyst, body: {} })).status, 403);
    assert.equal((await call(s.url, '/v1/policies/2/approve', { key: s.keys.analyst, method: 'POST' })).status, 403);
    assert.equal((await call(s.url, '/v1/policies/rollback', { key: s.keys.analyst, body: { version: 1, reason: 'x' } })).status, 403);
    assert.equal((await call(s.url, '/v1/policies', { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, '/v1/policies/2', { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, '/v1/policies/live', { key: s.keys.decide })).status, 403);

    // approving what was never proposed, and unknown versions
    const early = await call(s.url, '/v1/policies/2/approve', { key: admin2, method: 'POST' });
    assert.equal(early.status, 409, early.text);
    assert.equal((await call(s.url, '/v1/policies/99', { key: s.keys.analyst })).status, 404);
    assert.equal((await call(s.url, '/v1/policies/99/publish', { key: s.keys.admin, body: {} })).status, 404);
    assert.equal((await call(s.url, '/v1/policies/x/approve', { key: admin2, method: 'POST' })).status, 400);

    // propose, then the same key tries to approve: refused, nothing changes
    const p = await call(s.url, '/v1/policies/2/publish', { key: s.keys.admin, body: { note: 'weekly tuning' } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.state, 'proposed');
    assert.equal(p.json.warning, null);
    const again = await call(s.url, '/v1/policies/2/publish', { key: s.keys.admin, body: {} });
    assert.equal(again.status, 409);
    const self = await call(s.url, '/v1/policies/2/approve', { key: s.keys.admin, method: 'POST' });
    assert.equal(self.status, 409, self.text);
    assert.equal(self.json.error.code, 'conflict');
    assert.match(self.json.error.message, /four-eyes/);
    const big = { amount: 300_000, channel: 'qr' };
    const stillOld = await decide(s, s.keys.decide, pay(big));
    assert.equal(stillOld.policy, 'default');
    assert.ok(!stillOld.reasons.some((r: { code: string }) => r.code === 'BIG_QR_V2'));
    assert.equal((await call(s.url, '/v1/policies/live', { key: s.keys.analyst })).json.version, 1);

    // a second admin approves: the very next decision is version 2's
    const ok = await call(s.url, '/v1/policies/2/approve', { key: admin2, method: 'POST' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.state, 'live');
    assert.equal(ok.json.policy, 'v2');
    assert.equal(ok.json.publication.actor, idOf(admin2));
    assert.equal(ok.json.publication.proposedBy, idOf(s.keys.admin));
    const now = await decide(s, s.keys.decide, pay(big));
    assert.equal(now.policy, 'v2');
    assert.ok(now.reasons.some((r: { code: string }) => r.code === 'BIG_QR_V2'), JSON.stringify(now));
    assert.ok(now.seq > ok.json.publication.journalSeq);
    const live = await call(s.url, '/v1/policies/live', { key: s.keys.analyst });
    assert.equal(live.json.version, 2);
    assert.equal((await call(s.url, '/v1/policies/1', { key: s.keys.analyst })).json.state, 'retired');

    // a third version, proposed and rejected
    const d3 = await draft(s, s.keys.admin, defaultFiles(), 'back to plain', { parent: 1 });
    assert.equal(d3.status, 201, d3.text);
    assert.deepEqual(d3.json.diff.files, []);
    assert.equal((await call(s.url, '/v1/policies/3/publish', { key: admin2, body: {} })).status, 200);
    const rejected = await call(s.url, '/v1/policies/3/reject', { key: s.keys.admin, body: { reason: 'use rollback' } });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.json.state, 'rejected');
    assert.equal((await call(s.url, '/v1/policies/3/approve', { key: s.keys.admin, method: 'POST' })).status, 409);

    // rollback: one call, back to a version that was live; never to one that was not
    const never = await call(s.url, '/v1/policies/rollback', { key: s.keys.admin, body: { version: 3, reason: 'x' } });
    assert.equal(never.status, 409, never.text);
    const unknown = await call(s.url, '/v1/policies/rollback', { key: s.keys.admin, body: { version: 42, reason: 'x' } });
    assert.equal(unknown.status, 404);
    const noReason = await call(s.url, '/v1/policies/rollback', { key: s.keys.admin, body: { version: 1 } });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.json.error.path, 'reason');
    const back = await call(s.url, '/v1/policies/rollback', { key: s.keys.admin, body: { version: 1, reason: 'too many reviews at night' } });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.state, 'live');
    assert.equal(back.json.policy, 'default');
    const after = await decide(s, s.keys.decide, pay(big));
    assert.equal(after.policy, 'default');
    assert.ok(!after.reasons.some((r: { code: string }) => r.code === 'BIG_QR_V2'));
    const already = await call(s.url, '/v1/policies/rollback', { key: s.keys.admin, body: { version: 1, reason: 'x' } });
    assert.equal(already.status, 409);

    const pubs = await call(s.url, '/v1/policies/publications', { key: s.keys.analyst });
    assert.deepEqual(pubs.json.publications.map((x: { version: number; kind: string }) => [x.version, x.kind]), [
      [1, 'rollback'],
      [2, 'publish'],
      [1, 'import'],
    ]);

    // the audit trail: who, what, before and after of each step
    const [drafted] = (await auditOf(s, s.keys.analyst, 'policy.draft')).filter((e) => e.target === 'policies/2');
    assert.equal(drafted.actor, idOf(s.keys.admin));
    assert.equal(drafted.before, null);
    assert.equal(drafted.after.parent, 1);
    assert.deepEqual(drafted.after.changes.rules.added, ['BIG_QR']);
    const [proposed] = (await auditOf(s, s.keys.analyst, 'policy.propose')).filter((e) => e.target === 'policies/2');
    assert.deepEqual([proposed.actor, proposed.before.state, proposed.after.state, proposed.after.note], [idOf(s.keys.admin), 'draft', 'proposed', 'weekly tuning']);
    const approvals = await auditOf(s, s.keys.analyst, 'policy.approve');
    assert.equal(approvals.length, 1, 'the refused self-approval left no entry');
    assert.equal(approvals[0].actor, idOf(admin2));
    assert.equal(approvals[0].after.state, 'live');
    const published = await auditOf(s, s.keys.analyst, 'policy.publish');
    assert.equal(published.length, 2);
    const [rb, pub] = published;
    assert.deepEqual([pub.actor, pub.before.version, pub.before.policy, pub.after.version, pub.after.policy], [idOf(admin2), 1, 'default', 2, 'v2']);
    assert.deepEqual([rb.actor, rb.after.kind, rb.after.version], [idOf(s.keys.admin), 'rollback', 1]);
    const [rolled] = await auditOf(s, s.keys.analyst, 'policy.rollback');
    assert.deepEqual([rolled.actor, rolled.before.live, rolled.after.live, rolled.after.reason], [idOf(s.keys.admin), 2, 1, 'too many reviews at night']);
    const [rej] = await auditOf(s, s.keys.analyst, 'policy.reject');
    assert.deepEqual([rej.actor, rej.target, rej.after.reason], [idOf(s.keys.admin), 'policies/3', 'use rollback']);
  } finally {
    await s.close();
  }
});

test('a restart keeps the live version, and recovery replays with it', async () => {
  const { s, admin2 } = await start();
  let s2: TestServer | null = null;
  try {
    const d = await draft(s, s.keys.admin, v2Files(), 'v2');
    assert.equal(d.status, 201, d.text);
    assert.equal((await call(s.url, '/v1/policies/2/publish', { key: s.keys.admin, body: {} })).status, 200);
    assert.equal((await call(s.url, '/v1/policies/2/approve', { key: admin2, method: 'POST' })).status, 200);
    const before = await decide(s, s.keys.decide, pay({ amount: 300_000 }));
    assert.equal(before.policy, 'v2');
    await s.close(true);
    s2 = await startTestServer({ dir: s.dir, keys: s.keys });
    assert.equal(s2.server.policy, 'v2');
    const live = await call(s2.url, '/v1/policies/live', { key: s.keys.analyst });
    assert.equal(live.json.version, 2);
    const after = await decide(s2, s.keys.decide, pay({ amount: 300_000 }));
    assert.equal(after.policy, 'v2');
    assert.ok(after.reasons.some((r: { code: string }) => r.code === 'BIG_QR_V2'));
    const h = await call(s2.url, '/healthz', { key: s.keys.analyst });
    assert.equal(h.json.policy, 'v2');
  } finally {
    if (s2 !== null) await s2.close();
    else await s.close();
  }
});
