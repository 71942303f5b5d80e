// API keys on a cluster: a key made with `fengkong keys create --postgres` works on every node;
// revoked through one node's API it is refused by that node on its next request and by the others
// within their 5 s key cache; whoami and the key list answer on any node; the change is audited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { tx } from '../../engine/world.js';
import { call } from '../../server/helpers.js';
import { BIN, roleOf, startNode, testCluster, until } from './nodes.js';

test('a key revoked through one node is refused there at once and by the other node within its key cache', { timeout: 120_000 }, async (t) => {
  const c = await testCluster(t);
  const a = await startNode(t, c, 'A');
  await until('node A owning the partition', async () => (await roleOf(a, c.key)) === 'owning');
  const b = await startNode(t, c, 'B');
  const sw = execFileSync(process.execPath, [BIN, 'keys', 'create', '--role', 'decide', '--name', 'switch-1', '--postgres', c.postgres, '--cluster', c.cluster, '--master-key-file', c.masterKeyFile], { encoding: 'utf8' }).trim();
  let n = 0;
  const pay = (url: string): Promise<number> => call(url, '/v1/decisions', { key: sw, body: tx(++n * 1000, { id: `k-${n}` }) }).then((r) => r.status);
  assert.equal(await pay(a.url), 200);
  assert.equal(await pay(b.url), 200);
  const who = await call(b.url, '/v1/whoami', { key: sw });
  assert.equal(who.status, 200, who.text);
  assert.deepEqual({ role: (who.json as { role: string }).role, name: (who.json as { name: string }).name }, { role: 'decide', name: 'switch-1' });
  const keyId = (who.json as { keyId: string }).keyId;

  const revoked = await call(b.url, `/v1/keys/${keyId}`, { key: c.key, method: 'DELETE', body: { reason: 'the switch was decommissioned' } });
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(await pay(b.url), 401, 'refused by the node that revoked it on the very next request');
  const revokedAt = Date.now();
  await until('node A to refuse the revoked key', async () => (await pay(a.url)) === 401, 10_000);
  t.diagnostic(`node A refused the revoked key ${Date.now() - revokedAt} ms after the revocation`);
  assert.ok(Date.now() - revokedAt <= 6_000, 'within the 5 s key cache');
  const list = await call(a.url, '/v1/keys', { key: c.key });
  const mine = (list.json as { keys: { keyId: string; revokedAt: number | null; revokeReason: string | null }[] }).keys.find((k) => k.keyId === keyId)!;
  assert.ok(mine.revokedAt !== null);
  assert.equal(mine.revokeReason, 'the switch was decommissioned');
  const audit = await call(a.url, '/v1/audit?action=key.', { key: c.key });
  assert.deepEqual((audit.json as { entries: { action: string; target: string }[] }).entries.filter((e) => e.target === `keys/${keyId}`).map((e) => e.action), ['key.revoke', 'key.create']);
  // an admin cannot revoke the key it calls with, on a cluster node either
  const self = await call(a.url, `/v1/keys/${(await call(a.url, '/v1/whoami', { key: c.key })).json.keyId}`, { key: c.key, method: 'DELETE', body: { reason: 'oops' } });
  assert.equal(self.status, 409, self.text);
});
