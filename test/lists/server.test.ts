// Lists through the real server and the real CLI: a change counts from the very next decision,
// roles are enforced, refusals change nothing, every change is audited, the CLI beside a running
// server is picked up, and everything is back after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { HOUR, baseWorld, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir, type TestServer } from '../server/helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'fengkong.js');
const T = 10 * HOUR;
let clock = T;

/** One payment by A1 two hours after the previous one; its decision body. */
async function decide(s: TestServer, extra: Record<string, unknown> = {}): Promise<{ outcome: string; reasons: { code: string }[] }> {
  clock += 2 * HOUR; // far enough apart that velocity rules stay quiet
  const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(clock, extra) });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const codes = (d: { reasons: { code: string }[] }): string[] => d.reasons.map((r) => r.code);

function cli(dir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'lists', ...args, '--data', dir], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('lists over HTTP and the CLI, against a running server and after its restart', async () => {
  const dir = tempDir('lists-server-');
  let s = await startTestServer({ dir });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    assert.equal((await decide(s, { deviceId: 'D9' })).outcome, 'approve');

    // an admin blocks the device: the very next payment from it is declined
    const add = await call(s.url, '/v1/lists/block_devices/entries', { key: s.keys.admin, body: { value: 'D9', reason: 'reported stolen' } });
    assert.equal(add.status, 201, add.text);
    assert.equal(add.json.entry.value, 'D9');
    assert.equal(add.json.replaced, null);
    const blocked = await decide(s, { deviceId: 'D9' });
    assert.equal(blocked.outcome, 'decline');
    assert.equal(codes(blocked)[0], 'LIST_BLOCKED_DEVICE');

    // roles: analysts read, only admins change; decide keys do neither
    const byAnalyst = await call(s.url, '/v1/lists/block_devices/entries', { key: s.keys.analyst, body: { value: 'D8', reason: 'x' } });
    assert.equal(byAnalyst.status, 403);
    assert.equal((await call(s.url, '/v1/lists', { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, '/v1/lists/block_devices/entries/D9', { method: 'DELETE', key: s.keys.analyst })).status, 403);
    const read = await call(s.url, '/v1/lists/block_devices/entries', { key: s.keys.analyst });
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.json.entries.map((e: { value: string }) => e.value), ['D9']);
    assert.match(read.json.entries[0].author, /^key_[0-9a-f]{12}$/);

    // bad input: a clear error naming the field, and nothing changes
    const expired = await call(s.url, '/v1/lists/block_devices/entries', { key: s.keys.admin, body: { value: 'D7', reason: 'r', expiresAt: '2020-01-01T00:00:00Z' } });
    assert.equal(expired.status, 400, expired.text);
    assert.deepEqual([expired.json.error.code, expired.json.error.path], ['invalid_request', 'expiresAt']);
    assert.match(expired.json.error.message, /expired already/);
    const noReason = await call(s.url, '/v1/lists/block_devices/entries', { key: s.keys.admin, body: { value: 'D7' } });
    assert.deepEqual([noReason.status, noReason.json.error.path], [400, 'reason']);
    const notIp = await call(s.url, '/v1/lists/block_ips/entries', { key: s.keys.admin, body: { value: 'D7', reason: 'r' } });
    assert.deepEqual([notIp.status, notIp.json.error.path], [400, 'value']);
    const unknown = await call(s.url, '/v1/lists/stolen_devices/entries', { key: s.keys.admin, body: { value: 'D7', reason: 'r' } });
    assert.deepEqual([unknown.status, unknown.json.error.code], [404, 'not_found']);
    const badKind = await call(s.url, '/v1/lists', { key: s.keys.admin, body: { name: 'x_list', kind: 'card', purpose: 'block' } });
    assert.deepEqual([badKind.status, badKind.json.error.path], [400, 'kind']);
    const dup = await call(s.url, '/v1/lists', { key: s.keys.admin, body: { name: 'block_devices', kind: 'device', purpose: 'block' } });
    assert.deepEqual([dup.status, dup.json.error.code], [409, 'conflict']);
    const after = await call(s.url, '/v1/lists/block_devices/entries', { key: s.keys.analyst });
    assert.deepEqual(after.json.entries.map((e: { value: string }) => e.value), ['D9']);

    // a list of one's own, and what GET /v1/lists says about the live policy's use
    const created = await call(s.url, '/v1/lists', { key: s.keys.admin, body: { name: 'risky_mccs', kind: 'string', purpose: 'watch', description: 'betting' } });
    assert.equal(created.status, 201, created.text);
    const all = await call(s.url, '/v1/lists', { key: s.keys.analyst });
    const byName = new Map(all.json.lists.map((l: { name: string }) => [l.name, l]));
    assert.deepEqual(
      [byName.get('block_devices'), byName.get('risky_mccs')].map((l) => {
        const x = l as { entries: number; usedByPolicy: boolean; builtin: boolean };
        return [x.entries, x.usedByPolicy, x.builtin];
      }),
      [
        [1, true, true],
        [0, false, false],
      ],
    );

    // removing the entry restores approval at once
    const del = await call(s.url, '/v1/lists/block_devices/entries/D9', { method: 'DELETE', key: s.keys.admin });
    assert.equal(del.status, 200, del.text);
    assert.equal(del.json.removed.value, 'D9');
    assert.equal((await decide(s, { deviceId: 'D9' })).outcome, 'approve');
    assert.equal((await call(s.url, '/v1/lists/block_devices/entries/D9', { method: 'DELETE', key: s.keys.admin })).status, 404);

    // the CLI beside the running server: picked up without any request to the list routes
    const cliAdd = cli(dir, 'add', 'block_accounts', 'A1', '--reason', 'mule account', '--expires', '30d');
    assert.equal(cliAdd.status, 0, cliAdd.stderr);
    assert.match(cliAdd.stdout, /added A1 to block_accounts/);
    await sleep(1_500);
    const byCli = await decide(s);
    assert.equal(byCli.outcome, 'decline');
    assert.equal(codes(byCli)[0], 'LIST_BLOCKED_ACCOUNT');
    const cliBad = cli(dir, 'add', 'block_accounts', 'A2', '--expires', '30d');
    assert.equal(cliBad.status, 2);
    assert.match(cliBad.stderr, /FK3004\] reason: expected/);

    // every change is in the audit log: who, what, before and after
    const audit = await call(s.url, '/v1/audit?action=list.', { key: s.keys.analyst });
    const log = (audit.json.entries as { actor: string; action: string; target: string; before: unknown; after: unknown }[]).reverse();
    // a device value is recorded by its token, the clear value sealed beside it (encryption at rest)
    const d9 = log[0].target;
    assert.match(d9, /^lists\/block_devices\/t:[0-9a-f]{64}$/);
    assert.deepEqual(
      log.map((e) => [e.action, e.target]),
      [
        ['list.entry.add', d9],
        ['list.create', 'lists/risky_mccs'],
        ['list.entry.remove', d9],
        ['list.entry.add', 'lists/block_accounts/A1'],
      ],
    );
    assert.match(log[0].actor, /^key_/);
    assert.match(log[3].actor, /^cli:/);
    assert.equal((log[2].before as { reason: string }).reason, 'reported stolen');
    assert.equal(log[2].after, null);

    // restart on the same folder: the lists are back and decide at once
    await s.close(true);
    s = await startTestServer({ dir, keys: s.keys });
    const again = await call(s.url, '/v1/lists/block_accounts/entries', { key: s.keys.analyst });
    assert.deepEqual(again.json.entries.map((e: { value: string; reason: string }) => [e.value, e.reason]), [['A1', 'mule account']]);
    assert.equal((await decide(s)).outcome, 'decline');
    assert.equal(cli(dir, 'remove', 'block_accounts', 'A1').status, 0);
    const listed = JSON.parse(execFileSync(process.execPath, [BIN, 'lists', 'show', '--json', '--data', dir], { encoding: 'utf8' })) as { name: string; entries: number }[];
    assert.equal(listed.find((l) => l.name === 'block_accounts')?.entries, 0);
    await call(s.url, '/v1/lists', { key: s.keys.analyst }); // syncs at once
    const last = await decide(s);
    assert.ok(!codes(last).includes('LIST_BLOCKED_ACCOUNT'), codes(last).join());
    assert.equal(last.outcome, 'approve', codes(last).join());
  } finally {
    await s.close();
  }
});
