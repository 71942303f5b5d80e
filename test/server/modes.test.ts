// Incident modes through a real server: an overlay is compiled on the live version when saved (422
// with positioned diagnostics otherwise, nothing stored), switched on and off with one call each
// (audited with the policy before and after), decisions under it name it, it survives a restart
// and a new version's publication, and roles are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, baseWorld, HOUR, tx } from '../engine/world.js';
import { addAdmin, auditOf, decide, defaultFiles, idOf, publish } from '../policy/helpers.js';
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

    const saved = await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: s.keys.admin, body: { description: 'M1 QR abuse', rules: OVERLAY } });
    assert.equal(saved.status, 201, saved.text);
    assert.equal(saved.json.mode.active, false);
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

    // editing a mode that is on takes effect at once; a broken edit changes nothing
    const harsher = OVERLAY.replace('outcome challenge', 'outcome decline');
    const edit = await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: s.keys.admin, body: { description: 'M1 QR abuse', rules: harsher } });
    assert.equal(edit.status, 200, edit.text);
    assert.equal((await decide(s, s.keys.decide, pay())).outcome, 'decline');
    const broken = await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: s.keys.admin, body: { description: 'x', rules: 'rule Y\n  when\n' } });
    assert.equal(broken.status, 422);
    assert.equal((await decide(s, s.keys.decide, pay())).outcome, 'decline', 'the refused edit changed nothing');
    assert.equal((await call(s.url, '/v1/modes/remote-wave', { method: 'PUT', key: s.keys.admin, body: { description: 'M1 QR abuse', rules: OVERLAY } })).status, 200);

    // a restart keeps it on
    await s.close(true);
    s = await startTestServer({ dir: s.dir, keys: s.keys });
    assert.equal(s.server.policy, 'default+incident:remote-wave');
    const afterRestart = await decide(s, s.keys.decide, pay());
    assert.equal(afterRestart.outcome, 'challenge');
    assert.equal(afterRestart.policy, 'default+incident:remote-wave');

    // a version published while it is on carries it
    const admin2 = addAdmin(s.dir);
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
    assert.deepEqual(entries.map((e) => e.action), ['mode.off', 'mode.save', 'mode.save', 'mode.on', 'mode.save']);
    const [offE, restored, edited, onE, saveE] = entries;
    assert.deepEqual([edited.before.rules, edited.after.rules, restored.before.rules], [OVERLAY, OVERLAY.replace('outcome challenge', 'outcome decline'), edited.after.rules]);
    for (const e of entries) assert.equal(e.actor, idOf(s.keys.admin));
    assert.equal(saveE.before, null);
    assert.equal(saveE.after.rules, OVERLAY);
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
