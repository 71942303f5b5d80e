// `fengkong cases` and `fengkong merchants` against a running server: the queue, a case with its
// evidence, resolving (and the refusal of a second resolve), the merchant check and a terminal
// suspension with its effect on the next payment; usage errors exit 2, refusals exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { account, baseWorld, HOUR, tx } from '../engine/world.js';
import { feed, startTestServer } from '../server/helpers.js';
import { caseDir, casesOf, pay } from './helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'fengkong.js');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, FENGKONG_KEY: '', ...env }, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? 1), stdout, stderr });
    });
  });
}

test('fengkong cases and fengkong merchants over HTTP', async () => {
  const s = await startTestServer({ dir: caseDir('cli') });
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), account('B1')]);
    await pay(s, tx(10 * HOUR, { id: 'cli-1', terminalId: 'T404' }));
    const [c] = await casesOf(s, 'account:A1');
    const url = ['--url', s.url];
    const list = await cli(['cases', 'list', ...url], { FENGKONG_KEY: s.keys.analyst });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${c.id}\\taccount:A1\\treview\\topen\\t`, 'm'));
    const shown = await cli(['cases', 'show', c.id, ...url, '--key', s.keys.analyst]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /UNREGISTERED_TERMINAL ×1 — The terminal is not registered/);
    assert.match(shown.stdout, /cli-1/);
    const asJson = JSON.parse((await cli(['cases', 'show', c.id, '--no-evidence', '--json', ...url, '--key', s.keys.analyst])).stdout);
    assert.equal(asJson.case.id, c.id);
    assert.equal(asJson.evidence, undefined);
    const noted = await cli(['cases', 'note', c.id, '--text', 'called the customer', ...url, '--key', s.keys.analyst]);
    assert.match(noted.stdout, /note 1 added/);
    const resolved = await cli(['cases', 'resolve', c.id, 'fraud', '--typology', 'account_takeover', ...url, '--key', s.keys.analyst]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.match(resolved.stdout, /resolved fraud \(account_takeover\)/);
    assert.match(resolved.stdout, /2 label\(s\) emitted/);
    const twice = await cli(['cases', 'resolve', c.id, 'legitimate', ...url, '--key', s.keys.analyst]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /409 conflict: \[FK3002\] case .* was resolved as fraud/);
    const bad = await cli(['cases', 'resolve', c.id, 'maybe', ...url, '--key', s.keys.analyst]);
    assert.match(bad.stderr, /400 invalid_request \(resolution\)/);
    const noKey = await cli(['cases', 'list', ...url]);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /an API key is needed/);
    const forbidden = await cli(['cases', 'list', ...url, '--key', s.keys.decide]);
    assert.deepEqual([forbidden.code, /403 forbidden/.test(forbidden.stderr)], [1, true]);

    const check = await cli(['merchants', 'show', 'M1', '--terminal', 'T1', ...url, '--key', s.keys.decide]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /terminal T1: belongs to this merchant; in_service/);
    assert.match(check.stdout, /check: ok/);
    const suspended = await cli(['merchants', 'suspend', 'M1', 'T1', '--reason', 'moved', ...url, '--key', s.keys.admin]);
    assert.equal(suspended.code, 0, suspended.stderr);
    assert.match(suspended.stdout, /suspend_terminal T1\tactive/);
    assert.equal((await pay(s, tx(14 * HOUR, { accountId: 'B1', deviceId: 'E1' }))).outcome, 'decline');
    const usage = await cli(['merchants', 'suspend', 'M1', 'T1', ...url, '--key', s.keys.admin]);
    assert.equal(usage.code, 2);
    const released = await cli(['merchants', 'release-terminal', 'M1', 'T1', '--reason', 'back', ...url, '--key', s.keys.admin]);
    assert.match(released.stdout, /released by key_/);
    assert.equal((await pay(s, tx(16 * HOUR, { accountId: 'B1', deviceId: 'E1' }))).outcome, 'approve');
    const full = await cli(['merchants', 'show', 'M1', ...url, '--key', s.keys.analyst]);
    assert.match(full.stdout, /rating: [A-E] \([\d.]+\) over \d+ payments in 7 days; settlement normal/);
    const unknown = await cli(['merchants', 'hold', 'M404', '--reason', 'x', ...url, '--key', s.keys.admin]);
    assert.deepEqual([unknown.code, /404 not_found/.test(unknown.stderr)], [1, true]);
  } finally {
    await s.close();
  }
});
