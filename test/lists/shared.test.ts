// Partner institutions share block-list entries without sharing identities, through the CLI and a
// real server: A exports its block_devices as keyed hashes signed with its Ed25519 key (no value in
// clear in the file); B refuses the file signed by another key or changed after signing (nothing
// created), imports it into partner_block_devices, and a server on B with the consortium key declines
// a payment from a device on A's list through `in_list(device, "partner_block_devices")`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../helpers/serve-cli.js';
import { BUILTINS } from '../../src/features/catalog.js';
import { compilePolicy } from '../../src/rules/compile.js';
import { baseWorld, HOUR, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir } from '../server/helpers.js';
import { defaultFiles } from '../policy/helpers.js';

function fk(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
}

const PARTNER_RULE = `
rule PARTNER_BLOCKED_DEVICE
  description "The payer's device is on a partner institution's shared block list"
  when in_list(device, "partner_block_devices")
  outcome decline
`;

test('a shared block list: exported as signed keyed hashes, refused when forged, imported, and matched by a server holding the consortium key', async () => {
  const keys = tempDir('fk-keys-');
  const a = tempDir('fk-inst-a-');
  const b = tempDir('fk-inst-b-');
  assert.equal(fk('lists', 'keygen', '--signing', join(keys, 'a')).status, 0);
  assert.equal(fk('lists', 'keygen', '--signing', join(keys, 'other')).status, 0);
  assert.equal(fk('lists', 'keygen', '--consortium', join(keys, 'consortium.key')).status, 0);
  for (const d of ['D-BAD-1', 'D-BAD-2']) assert.equal(fk('lists', 'add', 'block_devices', d, '--reason', 'confirmed fraud ring', '--data', a).status, 0);

  const file = join(keys, 'share.json');
  const exported = fk('lists', 'export', 'block_devices', '--shared', '--institution', 'bank-a', '--consortium-key-file', join(keys, 'consortium.key'), '--signing-key-file', join(keys, 'a.key'), '--out', file, '--data', a);
  assert.equal(exported.status, 0, exported.stderr);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes('D-BAD') && !text.toLowerCase().includes('d-bad'), 'no value in clear');
  const shared = JSON.parse(text) as { entries: { h: string }[]; kind: string };
  assert.equal(shared.entries.length, 2);
  assert.equal(shared.kind, 'device');

  // forged: another key, or a changed entry: refused, nothing created
  const wrongKey = fk('lists', 'import', file, '--partner-key', join(keys, 'other.pub'), '--into', 'partner_block_devices', '--data', b);
  assert.notEqual(wrongKey.status, 0);
  assert.match(wrongKey.stderr, /signature/);
  const tampered = join(keys, 'tampered.json');
  writeFileSync(tampered, text.replace(shared.entries[0].h, 'f'.repeat(64)));
  assert.match(fk('lists', 'import', tampered, '--partner-key', join(keys, 'a.pub'), '--into', 'partner_block_devices', '--data', b).stderr, /signature/);
  assert.ok(!fk('lists', 'show', '--data', b).stdout.includes('partner_block_devices'), 'nothing was created');

  const imported = fk('lists', 'import', file, '--partner-key', join(keys, 'a.pub'), '--into', 'partner_block_devices', '--data', b, '--json');
  assert.equal(imported.status, 0, imported.stderr);
  assert.deepEqual(JSON.parse(imported.stdout), { list: 'partner_block_devices', institution: 'bank-a', added: 2 });

  // B's server, with the consortium key in its data folder, matches A's devices
  copyFileSync(join(keys, 'consortium.key'), join(b, 'consortium.key'));
  const pack = Object.entries(defaultFiles()).map(([file, text]) => ({ file, text }));
  const policy = compilePolicy([...pack, { file: '95-partner.fk', text: PARTNER_RULE }], BUILTINS, 'partner');
  const s = await startTestServer({ dir: b, policy });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const blocked = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(10 * HOUR, { id: 'p-1', deviceId: 'D-BAD-1' }) });
    assert.equal(blocked.json.outcome, 'decline', blocked.text);
    assert.equal(blocked.json.reasons[0].code, 'PARTNER_BLOCKED_DEVICE');
    const fine = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(10 * HOUR + 60_000, { id: 'p-2', deviceId: 'D-OK' }) });
    assert.ok(!(fine.json.reasons as { code: string }[]).some((r) => r.code === 'PARTNER_BLOCKED_DEVICE'));
  } finally {
    await s.close();
    for (const d of [keys, a]) rmSync(d, { recursive: true, force: true });
  }
});
