// `fengkong policy …` against a real server: a folder that does not compile prints every diagnostic
// as file:line:column and exits 1, a draft prints its changes, the proposer's own approval is
// refused with its code, a second key publishes, modes are proposed and approved by two keys and switch, rollback returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPolicy } from '../../src/cli/policy.js';
import { call, startTestServer } from '../server/helpers.js';
import { addAdmin, defaultFiles } from './helpers.js';

function folder(root: string, name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

test('the policy commands drive the lifecycle over HTTP and print refusals with their codes and positions', async () => {
  const s = await startTestServer();
  const admin2 = addAdmin(s.dir);
  const run = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runPolicy([...args, '--url', s.url], (l) => out.push(l), (l) => err.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  try {
    const broken = defaultFiles();
    broken['10-velocity.fk'] = broken['10-velocity.fk'].replace('when small_tx_10m >= 5', 'when small_tx_10mm >= 5');
    const bad = await run('draft', '--dir', folder(s.dir, 'broken', broken), '--description', 'typo', '--key', s.keys.admin);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /422 invalid_policy/);
    assert.match(bad.err, /10-velocity\.fk:5:8 - error FKR301: .*small_tx_10mm/);

    const files = defaultFiles();
    files['00-settings.fk'] = files['00-settings.fk'].replace('setting score.review = 40', 'setting score.review = 35');
    files['70-extra.fk'] = 'rule BIG_QR\n  when amount >= ¥3000 and channel == "qr"\n  outcome review\n';
    const checked = await run('draft', '--check', '--dir', folder(s.dir, 'v2', files), '--description', 'tuning', '--key', s.keys.admin);
    assert.equal(checked.code, 0, checked.err);
    assert.match(checked.out, /^compiles; nothing stored \(a draft would have parent 1\)/);
    assert.match(checked.out, /rules: \+BIG_QR/);
    const ok = await run('draft', '--dir', folder(s.dir, 'v2', files), '--description', 'tuning', '--key', s.keys.admin);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /^version 2 \(v2\) — draft; parent 1/);
    assert.match(ok.out, /rules: \+BIG_QR/);
    assert.match(ok.out, /setting score\.review: 40 → 35/);
    assert.match(ok.out, /\+\+\+ b\/70-extra\.fk/);

    const shown = await run('show', '2', '--key', s.keys.analyst);
    assert.equal(shown.code, 0, shown.err);
    assert.doesNotMatch(shown.out, /@@/, 'no line diff without --diff');
    assert.equal((await run('list', '--key', s.keys.analyst)).out.split('\n').length, 2);

    assert.equal((await run('publish', '2', '--note', 'weekly', '--key', s.keys.admin)).code, 0);
    const self = await run('approve', '2', '--key', s.keys.admin);
    assert.equal(self.code, 1);
    assert.match(self.err, /409 conflict: .*four-eyes rule/);
    const approved = await run('approve', '2', '--key', admin2);
    assert.equal(approved.code, 0, approved.err);
    assert.match(approved.out, /version 2 is live \(v2\)/);
    assert.match((await run('live', '--key', s.keys.analyst)).out, /^live: version 2 \(v2\), deciding as v2/);

    const overlay = join(s.dir, 'incident.fk');
    writeFileSync(overlay, 'rule INCIDENT\n  when is_remote\n  outcome challenge\n');
    const proposedMode = await run('mode', 'save', 'remote', '--file', overlay, '--description', 'remote wave', '--key', s.keys.admin);
    assert.equal(proposedMode.code, 0, proposedMode.err);
    assert.match(proposedMode.out, /definition proposed; another admin key approves it/);
    const early = await run('mode', 'on', 'remote', '--key', s.keys.admin);
    assert.equal(early.code, 1);
    assert.match(early.err, /409 conflict: .*four-eyes rule/);
    const selfMode = await run('mode', 'approve', 'remote', '--key', s.keys.admin);
    assert.equal(selfMode.code, 1);
    assert.match(selfMode.err, /409 conflict: .*four-eyes rule/);
    const modeOk = await run('mode', 'approve', 'remote', '--key', admin2);
    assert.equal(modeOk.code, 0, modeOk.err);
    assert.match(modeOk.out, /definition approved \(off\)/);
    const on = await run('mode', 'on', 'remote', '--key', s.keys.admin);
    assert.equal(on.code, 0, on.err);
    assert.match(on.out, /switched on; deciding as v2\+incident:remote/);
    assert.match((await run('mode', 'list', '--key', s.keys.analyst)).out, /^remote\tON\tapproved\tremote wave/);
    assert.equal((await run('mode', 'save', 'remote', '--file', overlay, '--description', 'again', '--key', admin2)).code, 0);
    assert.match((await run('mode', 'show', 'remote', '--key', s.keys.analyst)).out, /approved, change proposed[\s\S]*proposed by /);
    const rejectedMode = await run('mode', 'reject', 'remote', '--reason', 'no change needed', '--key', s.keys.admin);
    assert.equal(rejectedMode.code, 0, rejectedMode.err);
    assert.match(rejectedMode.out, /proposed definition rejected/);
    assert.match((await run('mode', 'off', 'remote', '--key', s.keys.admin)).out, /switched off; deciding as v2$/);

    const rb = await run('rollback', '--reason', 'reviews up', '--key', s.keys.admin);
    assert.equal(rb.code, 0, rb.err);
    assert.match(rb.out, /rolled back: version 1 is live \(default\)/);
    assert.match((await run('history', '--key', s.keys.analyst)).out, /v1\trollback/);
    const json = await run('live', '--json', '--key', s.keys.analyst);
    assert.equal(JSON.parse(json.out).version, 1);

    const noKey = runPolicy(['list', '--url', s.url], () => {}, () => {});
    if (process.env.FENGKONG_KEY === undefined) await assert.rejects(noKey, /API key/);
    const down = runPolicy(['list', '--url', 'http://127.0.0.1:9', '--key', 'fk_x'], () => {}, () => {});
    await assert.rejects(down, /cannot reach the server/);
    assert.equal((await call(s.url, '/v1/policies/live', { key: s.keys.analyst })).json.version, 1);
  } finally {
    await s.close();
  }
});
