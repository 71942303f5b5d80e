// Lists on a cluster (issue 14: "list changes within 1 s"): an entry added through one node's API
// decides the owner's next payments within a second — the node that committed tells the others over
// NATS, and each also polls — and is removed the same way; every node lists it; each change is
// audited once in the cluster's audit log, readable from any node, whose chain
// `fengkong audit verify --postgres` checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { schemaOf } from '../../../src/store/postgres/pool.js';
import { tx } from '../../engine/world.js';
import { call } from '../../server/helpers.js';
import { BIN, roleOf, startNode, testCluster, until, type Node } from './nodes.js';

test('a list entry added on a follower decides the owner\'s next payment within a second; removing it likewise', { timeout: 120_000 }, async (t) => {
  const c = await testCluster(t);
  const a = await startNode(t, c, 'A');
  await until('node A owning the partition', async () => (await roleOf(a, c.key)) === 'owning');
  const b = await startNode(t, c, 'B');
  await until('node B following', async () => (await roleOf(b, c.key)) === 'following');
  let n = 0;
  const pay = async (node: Node): Promise<string[]> => {
    const r = await call(node.url, '/v1/decisions', { key: c.key, body: tx(n * 1000, { id: `l-${++n}`, accountId: 'acc-listed' }) });
    assert.equal(r.status, 200, r.text);
    return (r.json as { reasons: { code: string }[] }).reasons.map((x) => x.code);
  };
  assert.ok(!(await pay(a)).includes('LIST_BLOCKED_ACCOUNT'));

  // added through the follower's API; decided by the owner
  const added = await call(b.url, '/v1/lists/block_accounts/entries', { key: c.key, body: { value: 'acc-listed', reason: 'confirmed account takeover (case 42)' } });
  assert.equal(added.status, 201, added.text);
  const addedAt = Date.now();
  const took = await until('the owner to decline the listed account', async () => (await pay(a)).includes('LIST_BLOCKED_ACCOUNT'), 5_000);
  t.diagnostic(`entry added on B decided A's payments after ${Date.now() - addedAt} ms (${took} ms of polling)`);
  assert.ok(Date.now() - addedAt < 1_000, `within a second (${Date.now() - addedAt} ms)`);
  for (const node of [a, b]) {
    const l = await call(node.url, '/v1/lists/block_accounts', { key: c.key });
    assert.equal((l.json as { list: { entries: number } }).list.entries, 1, `${node.id}: ${l.text}`);
  }

  // removed through the owner; a payment sent to the follower (forwarded) is no longer declined for it
  const removed = await call(a.url, `/v1/lists/block_accounts/entries/acc-listed`, { key: c.key, method: 'DELETE' });
  assert.equal(removed.status, 200, removed.text);
  const removedAt = Date.now();
  await until('the listed account to pass again', async () => !(await pay(b)).includes('LIST_BLOCKED_ACCOUNT'), 5_000);
  assert.ok(Date.now() - removedAt < 1_000, `within a second (${Date.now() - removedAt} ms)`);
  const l = await call(b.url, '/v1/lists/block_accounts', { key: c.key });
  assert.equal((l.json as { list: { entries: number } }).list.entries, 0);
  // the CLI beside the nodes (no announcement: the nodes' poll finds it within a second)
  const cli = execFileSync(process.execPath, [BIN, 'lists', 'add', 'block_accounts', 'acc-listed', '--reason', 'second incident', '--postgres', c.postgres, '--cluster', c.cluster, '--master-key-file', c.masterKeyFile], { encoding: 'utf8' });
  assert.match(cli, /added acc-listed to block_accounts/);
  const cliAt = Date.now();
  await until('the owner to decline the account the CLI listed', async () => (await pay(b)).includes('LIST_BLOCKED_ACCOUNT'), 5_000);
  t.diagnostic(`entry added by the CLI decided payments after ${Date.now() - cliAt} ms`);
  assert.ok(Date.now() - cliAt < 1_500, `within the nodes' poll (${Date.now() - cliAt} ms)`);
  const shown = JSON.parse(execFileSync(process.execPath, [BIN, 'lists', 'entries', 'block_accounts', '--json', '--postgres', c.postgres, '--cluster', c.cluster, '--master-key-file', c.masterKeyFile], { encoding: 'utf8' })) as { entries: { value: string }[] };
  assert.deepEqual(shown.entries.map((e) => e.value), ['acc-listed']);
  // each change audited once, in the cluster's audit log
  const db = new pg.Client({ connectionString: c.postgres });
  db.on('error', () => undefined);
  await db.connect();
  const rows = await db.query(`SELECT action FROM ${pg.escapeIdentifier(schemaOf(c.cluster))}.audit_log WHERE action LIKE 'list.%' ORDER BY seq`);
  await db.end();
  assert.deepEqual(rows.rows.map((r: { action: string }) => r.action), ['list.entry.add', 'list.entry.remove', 'list.entry.add']);
  // readable from any node's audit routes, and the chain verifies with the CLI
  const audit = await call(a.url, '/v1/audit?action=list.', { key: c.key });
  assert.equal(audit.status, 200, audit.text);
  assert.deepEqual((audit.json as { entries: { action: string }[] }).entries.map((e) => e.action), ['list.entry.add', 'list.entry.remove', 'list.entry.add']);
  const head = await call(b.url, '/v1/audit/head', { key: c.key });
  const { seq, hash } = head.json as { seq: number; hash: string };
  const verify = execFileSync(process.execPath, [BIN, 'audit', 'verify', '--postgres', c.postgres, '--cluster', c.cluster, '--master-key-file', c.masterKeyFile, '--pin', `${seq}:${hash}`], { encoding: 'utf8' });
  assert.match(verify, new RegExp(`^ok, ${seq} entries, head ${hash} \\(seq ${seq}\\), pinned entry ${seq} found`));
});
