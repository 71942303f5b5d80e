// Incident modes through a real server: an overlay is compiled on the live version when proposed (422
// with positioned diagnostics otherwise, nothing stored), decides only once a second admin approved it
// (four eyes), is switched on and off with one call each (audited with the policy before and after),
// decisions under it name it, it survives a restart and a new version's publication, and roles are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, baseWorld, HOUR, tx } from '../engine/world.js';
import { addAdmin, auditOf, decide, defaultFiles, defineMode, idOf, publish } from '../policy/helpers.js';
import { call, feed, startTestServer, type TestServer } from './helpers.js';

const OVERLAY = `# Remote-wave incident: challenge QR payments at the hit merchant, review more.
setting score.review = 20

rule INCIDENT_M1_QR
  description "Incident: QR payments at M1 are being abused"
  when channel == "qr" and merchant == "M1"
  outcome challenge
  reason INCIDENT_M1_QR
`;

let n = 0;
function pay(): Record<string, unknown> {
  n++;
  return tx(HOUR + n * 2 * HOUR, { id: `mode-${n}`, accountId: 'A2' });
}

test('an incident mode: validated when saved, on and off with one call each, audited, named in decisions, kept across a restart', async () => {
  let s: TestServer = await startTestServer();
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), account('A2')]);

    // refused overlays change nothing
    const typo = await call(s.url, '/v1/modes/remote-wave', {
      method: 'PUT',
      key: s.keys.admin,
      body: { description: 'typo', rules: 'rule X\n  when amout > 1\n  outcome challenge\n' },
    });
    assert.equal(typo.status, 422, typo.text);
    const [diag] = typo.json.error.details;
    assert.deepEqual([diag.code, diag.file, diag.line, diag.column], ['FKR301', 'modes/remote-wave.fk', 2, 8]);
    const feature = await call(s.url, '/v1/modes/remote-wave', {
      method: 'PUT',
      key: s.keys.admin,
      body: { description: 'declares a window', rules: 'feature f = count by account over 1h\nrule X\n  when f > 3\n  outcome review\n' },
    });
    assert.equal(feature.status, 422, feature.text);
    assert.equal(feature.json.error.details[0].code, 'FKP101');
    assert.equal(feature.json.error.details[0].line, 1);
    const clash = await call(s.url, '/v1/modes/remote-wave', {
      method: 'PUT',
      key: s.keys.admin,
      body: { description: 'names a rule the policy has', rules: 'rule SMALL_PAYMENT_BURST\n  when amount > 0\n  outcome review\n' },
    });
    assert.equal(clash.status, 422, clash.text);
    const badName = await call(s.url, '/v1/modes/Remote%20Wave', { method: 'PUT', key: s.keys.admin, body: { description: 'x', rules: OVERLAY } });
    assert.equal(badName.status, 400);
    assert.deepEqual((await call(s.url, '/v1/modes', { key: s.keys.analyst })).json.modes, []);
    assert.deepEqual(await auditOf(s, s.keys.analyst, 'mode.'), []);

    // roles
    assert.equal((await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: s.keys.analyst, body: { description: 'x', rules: OVERLAY } })).status, 403);
    assert.equal((await call(s.url, '/v1/modes', { key: s.keys.decide })).status, 403);

    const admin2 = addAdmin(s.dir);
    const saved = await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: s.keys.admin, body: { description: 'M1 QR abuse', rules: OVERLAY } });
    assert.equal(saved.status, 201, saved.text);
    assert.equal(saved.json.mode.active, false);
    assert.equal(saved.json.state, 'proposed');
    const approved = await call(s.url, '/v1/modes/remote-wave/approve', { key: admin2, method: 'POST' });
    assert.equal(approved.status, 200, approved.text);
    assert.equal((await call(s.url, '/v1/modes/remote-wave/on', { key: s.keys.analyst, method: 'POST' })).status, 403);
    assert.equal((await call(s.url, '/v1/modes/nope/on', { key: s.keys.admin, method: 'POST' })).status, 404);

    // normally approved
    const plain = await decide(s, s.keys.decide, pay());
    assert.equal(plain.outcome, 'approve', JSON.stringify(plain));
    assert.equal(plain.policy, 'default');

    const on = await call(s.url, '/v1/modes/remote-wave/on', { key: s.keys.admin, method: 'POST' });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.json.changed, true);
    assert.equal(on.json.policy, 'default+incident:remote-wave');
    const hit = await decide(s, s.keys.decide, pay());
    assert.equal(hit.outcome, 'challenge', JSON.stringify(hit));
    assert.equal(hit.policy, 'default+incident:remote-wave');
    assert.ok(hit.reasons.some((r: { code: string }) => r.code === 'INCIDENT_M1_QR'));
    const other = await decide(s, s.keys.decide, { ...pay(), channel: 'card' });
    assert.equal(other.outcome, 'approve', 'the overlay only touches what it names');
    const list = await call(s.url, '/v1/modes', { key: s.keys.analyst });
    assert.equal(list.json.modes[0].active, true);
    assert.equal(list.json.modes[0].activeBy, idOf(s.keys.admin));
    assert.equal(list.json.policy, 'default+incident:remote-wave');
    const twice = await call(s.url, '/v1/modes/remote-wave/on', { key: s.keys.admin, method: 'POST' });
    assert.equal(twice.json.changed, false);
    assert.equal((await call(s.url, '/v1/modes/remote-wave', { method: 'DELETE', key: s.keys.admin })).status, 409, 'a mode that is on cannot be deleted');

    // editing a mode that is on takes effect once approved; a broken edit changes nothing
    const harsher = OVERLAY.replace('outcome challenge', 'outcome decline');
    const edit = await defineMode(s, s.keys.admin, admin2, 'remote-wave', { description: 'M1 QR abuse', rules: harsher });
    assert.equal(edit.status, 200, edit.text);
    assert.equal((await decide(s, s.keys.decide, pay())).outcome, 'decline');
    const broken = await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: s.keys.admin, body: { description: 'x', rules: 'rule Y\n  when\n' } });
    assert.equal(broken.status, 422);
    assert.equal((await decide(s, s.keys.decide, pay())).outcome, 'decline', 'the refused edit changed nothing');
    assert.equal((await defineMode(s, s.keys.admin, admin2, 'remote-wave', { description: 'M1 QR abuse', rules: OVERLAY })).status, 200);

    // a restart keeps it on
    await s.close(true);
    s = await startTestServer({ dir: s.dir, keys: s.keys });
    assert.equal(s.server.policy, 'default+incident:remote-wave');
    const afterRestart = await decide(s, s.keys.decide, pay());
    assert.equal(afterRestart.outcome, 'challenge');
    assert.equal(afterRestart.policy, 'default+incident:remote-wave');

    // a version published while it is on carries it
    const files = defaultFiles();
    files['70-extra.fk'] = 'rule NEVER_HERE\n  when amount == ¥1.23\n  outcome review\n';
    const { approval } = await publish(s, s.keys.admin, admin2, files);
    assert.equal(approval.status, 200, approval.text);
    assert.equal(approval.json.policy, 'v2+incident:remote-wave');
    const underV2 = await decide(s, s.keys.decide, pay());
    assert.equal(underV2.policy, 'v2+incident:remote-wave');
    assert.equal(underV2.outcome, 'challenge');

    const off = await call(s.url, '/v1/modes/remote-wave/off', { key: s.keys.admin, method: 'POST' });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.policy, 'v2');
    const back = await decide(s, s.keys.decide, pay());
    assert.equal(back.outcome, 'approve', JSON.stringify(back));
    assert.equal(back.policy, 'v2');

    // the audit trail
    const entries = await auditOf(s, s.keys.analyst, 'mode.');
    assert.deepEqual(entries.map((e) => e.action), [
      'mode.off', 'mode.approve', 'mode.propose', 'mode.approve', 'mode.propose', 'mode.on', 'mode.approve', 'mode.propose',
    ]);
    const [offE, restored, , edited, editP, onE, firstA, saveE] = entries;
    assert.deepEqual(
      [edited.before.approved.rules, edited.after.approved.rules, restored.before.approved.rules, editP.before.approved.rules],
      [OVERLAY, OVERLAY.replace('outcome challenge', 'outcome decline'), edited.after.approved.rules, OVERLAY],
    );
    for (const e of entries) assert.equal(e.actor, e.action === 'mode.approve' ? idOf(admin2) : idOf(s.keys.admin));
    assert.deepEqual(saveE.before, { approved: null, pending: null });
    assert.equal(saveE.after.proposed.rules, OVERLAY);
    assert.deepEqual([firstA.before.approved, firstA.before.proposedBy, firstA.after.approved.rules], [null, idOf(s.keys.admin), OVERLAY]);
    assert.deepEqual(onE.before, { active: false, policy: 'default' });
    assert.deepEqual(onE.after, { active: true, policy: 'default+incident:remote-wave' });
    assert.deepEqual(offE.before, { active: true, policy: 'v2+incident:remote-wave' });
    assert.deepEqual(offE.after, { active: false, policy: 'v2' });

    const del = await call(s.url, '/v1/modes/remote-wave', { method: 'DELETE', key: s.keys.admin });
    assert.equal(del.status, 200, del.text);
    assert.deepEqual((await call(s.url, '/v1/modes', { key: s.keys.analyst })).json.modes, []);
  } finally {
    await s.close();
  }
});

test('four eyes on incident modes: one admin alone cannot make a mode decide; a pending change to a mode that is on waits for approval', async () => {
  const s = await startTestServer();
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), account('A2')]);
    const admin2 = addAdmin(s.dir);
    const audited = async () => (await auditOf(s, s.keys.analyst, 'mode.')).map((e) => e.action);

    // validate: the proposal's checks, nothing stored
    const valid = await call(s.url, '/v1/modes/remote-wave/validate', { key: s.keys.admin, body: { rules: OVERLAY } });
    assert.equal(valid.status, 200, valid.text);
    assert.deepEqual(valid.json, { ok: true, name: 'remote-wave', policy: 'default+incident:remote-wave' });
    const invalid = await call(s.url, '/v1/modes/remote-wave/validate', { key: s.keys.admin, body: { rules: 'rule X\n  when amout > 1\n  outcome challenge\n' } });
    assert.equal(invalid.status, 422, invalid.text);
    assert.deepEqual(invalid.json.error.details.map((d: { code: string; file: string; line: number }) => [d.code, d.file, d.line]), [['FKR301', 'modes/remote-wave.fk', 2]]);
    assert.equal((await call(s.url, '/v1/modes/remote-wave/validate', { key: s.keys.analyst, body: { rules: OVERLAY } })).status, 403);
    assert.deepEqual((await call(s.url, '/v1/modes', { key: s.keys.analyst })).json.modes, []);

    // one admin alone: proposed, but switching it on is refused and decisions are unchanged
    const proposed = await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: s.keys.admin, body: { description: 'M1 QR abuse', rules: OVERLAY } });
    assert.equal(proposed.status, 201, proposed.text);
    assert.deepEqual([proposed.json.mode.approvedAt, proposed.json.mode.proposal.proposedBy, proposed.json.mode.proposal.rules], [null, idOf(s.keys.admin), OVERLAY]);
    const refusedOn = await call(s.url, '/v1/modes/remote-wave/on', { key: s.keys.admin, method: 'POST' });
    assert.equal(refusedOn.status, 409, refusedOn.text);
    assert.equal(refusedOn.json.error.code, 'conflict');
    assert.match(refusedOn.json.error.message, /four-eyes rule: incident mode remote-wave has no approved definition/);
    assert.equal((await call(s.url, '/v1/modes/remote-wave/on', { key: admin2, method: 'POST' })).status, 409, 'nor by another admin: nothing approved yet');
    const own = await call(s.url, '/v1/modes/remote-wave/approve', { key: s.keys.admin, method: 'POST' });
    assert.equal(own.status, 409, own.text);
    assert.equal(own.json.error.code, 'conflict');
    assert.match(own.json.error.message, /four-eyes rule: incident mode remote-wave was proposed by .*; another admin key must approve it/);
    const still = await decide(s, s.keys.decide, pay());
    assert.deepEqual([still.outcome, still.policy], ['approve', 'default'], 'decisions unchanged');
    assert.equal((await call(s.url, '/v1/modes/remote-wave/approve', { key: s.keys.analyst, method: 'POST' })).status, 403);
    assert.equal((await call(s.url, '/v1/modes/nope/approve', { key: admin2, method: 'POST' })).status, 404);
    assert.deepEqual(await audited(), ['mode.propose'], 'refusals change and record nothing');

    // the second admin approves; then one call switches it on and the next payment is decided under it
    const ok = await call(s.url, '/v1/modes/remote-wave/approve', { key: admin2, method: 'POST' });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual([ok.json.state, ok.json.mode.approvedBy, ok.json.mode.approvedProposer, ok.json.mode.proposal, ok.json.mode.rules], ['approved', idOf(admin2), idOf(s.keys.admin), null, OVERLAY]);
    assert.equal((await call(s.url, '/v1/modes/remote-wave/approve', { key: admin2, method: 'POST' })).status, 409, 'nothing left to approve');
    const on = await call(s.url, '/v1/modes/remote-wave/on', { key: s.keys.admin, method: 'POST' });
    assert.equal(on.status, 200, on.text);
    const hit = await decide(s, s.keys.decide, pay());
    assert.deepEqual([hit.outcome, hit.policy], ['challenge', 'default+incident:remote-wave']);

    // a pending change to a mode that is on does not decide until approved
    const harsher = OVERLAY.replace('outcome challenge', 'outcome decline');
    const change = await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: admin2, body: { description: 'harsher', rules: harsher } });
    assert.equal(change.status, 200, change.text);
    assert.deepEqual([change.json.mode.rules, change.json.mode.proposal.rules, change.json.mode.active], [OVERLAY, harsher, true]);
    assert.equal((await decide(s, s.keys.decide, pay())).outcome, 'challenge', 'the approved definition keeps deciding');
    const shown = await call(s.url, '/v1/modes/remote-wave', { key: s.keys.analyst });
    assert.deepEqual([shown.json.mode.description, shown.json.mode.proposal.description, shown.json.mode.proposal.proposedBy], ['M1 QR abuse', 'harsher', idOf(admin2)]);
    // rejected: nothing changes but the proposal is gone
    assert.equal((await call(s.url, '/v1/modes/remote-wave/reject', { key: s.keys.admin, body: { reason: 5 } })).status, 400);
    const rejected = await call(s.url, '/v1/modes/remote-wave/reject', { key: s.keys.admin, body: { reason: 'too harsh' } });
    assert.equal(rejected.status, 200, rejected.text);
    assert.deepEqual([rejected.json.state, rejected.json.mode.proposal, rejected.json.mode.active], ['rejected', null, true]);
    assert.equal((await call(s.url, '/v1/modes/remote-wave/reject', { key: s.keys.admin, body: {} })).status, 409, 'nothing left to reject');
    assert.equal((await decide(s, s.keys.decide, pay())).outcome, 'challenge');
    // proposed again and approved by the other admin: the next payment is decided under it
    assert.equal((await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: admin2, body: { description: 'harsher', rules: harsher } })).status, 200);
    assert.equal((await call(s.url, '/v1/modes/remote-wave/approve', { key: admin2, method: 'POST' })).status, 409);
    assert.equal((await call(s.url, '/v1/modes/remote-wave/approve', { key: s.keys.admin, method: 'POST' })).status, 200);
    const harsh = await decide(s, s.keys.decide, pay());
    assert.deepEqual([harsh.outcome, harsh.policy], ['decline', 'default+incident:remote-wave']);

    // the emergency brake: one call by one admin
    const off = await call(s.url, '/v1/modes/remote-wave/off', { key: admin2, method: 'POST' });
    assert.equal(off.status, 200, off.text);
    assert.equal((await decide(s, s.keys.decide, pay())).outcome, 'approve');

    assert.deepEqual(await audited(), ['mode.off', 'mode.approve', 'mode.propose', 'mode.reject', 'mode.propose', 'mode.on', 'mode.approve', 'mode.propose']);
    const [rej] = await auditOf(s, s.keys.analyst, 'mode.reject');
    assert.deepEqual([rej.actor, rej.before.proposed.rules, rej.before.proposedBy, rej.after.reason], [idOf(s.keys.admin), harsher, idOf(admin2), 'too harsh']);
  } finally {
    await s.close();
  }
});

test('a pending proposal and the approved definition survive a restart: the mode decides with the approved one', async () => {
  let s = await startTestServer();
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), account('A2')]);
    const admin2 = addAdmin(s.dir);
    assert.equal((await defineMode(s, s.keys.admin, admin2, 'remote-wave', { description: 'M1 QR abuse', rules: OVERLAY })).status, 200);
    assert.equal((await call(s.url, '/v1/modes/remote-wave/on', { key: s.keys.admin, method: 'POST' })).status, 200);
    const harsher = OVERLAY.replace('outcome challenge', 'outcome decline');
    assert.equal((await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: s.keys.admin, body: { description: 'harsher', rules: harsher } })).status, 200);
    await s.close(true);
    s = await startTestServer({ dir: s.dir, keys: s.keys });
    assert.equal(s.server.policy, 'default+incident:remote-wave');
    assert.equal((await decide(s, s.keys.decide, pay())).outcome, 'challenge', 'the approved definition decides after the restart');
    const m = (await call(s.url, '/v1/modes/remote-wave', { key: s.keys.analyst })).json.mode;
    assert.deepEqual([m.proposal.rules, m.proposal.proposedBy], [harsher, idOf(s.keys.admin)]);
    assert.equal((await call(s.url, '/v1/modes/remote-wave/approve', { key: admin2, method: 'POST' })).status, 200);
    assert.equal((await decide(s, s.keys.decide, pay())).outcome, 'decline');
  } finally {
    await s.close();
  }
});
