// `fengkong serve` as a cluster node, refused clearly before anything starts when its flags do not
// fit together, and failing with one line naming the service when one is not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { freshPostgres } from '../helpers/services.js';
import pg from 'pg';
import { connectCluster, deleteClusterObjects } from '../../src/store/nats/connect.js';
import { schemaOf } from '../../src/store/postgres/pool.js';
import { NATS_URL } from '../store/nats/harness.js';

const BIN = join(ROOT, 'bin', 'fengkong.js');

function serve(args: readonly string[], env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { status: r.status, stderr: r.stderr };
}

test('flags that do not fit a cluster node are refused, naming them', () => {
  const cases: Array<[readonly string[], Record<string, string>, RegExp]> = [
    [['--nats', 'nats://127.0.0.1:4222'], {}, /needs --postgres URL \(or FENGKONG_POSTGRES_URL\)/],
    [['--postgres', 'postgres://127.0.0.1/x'], {}, /needs --nats URL \(or FENGKONG_NATS_URL\)/],
    [['--nats', 'n', '--postgres', 'p', '--data', '/tmp/x'], {}, /--data is for the embedded server/],
    [['--nats', 'n', '--postgres', 'p', '--journal', 'inline'], {}, /--journal is for the embedded server/],
    [['--nats', 'n', '--postgres', 'p', '--durability', 'process'], {}, /--durability is for the embedded server/],
    [['--durability', 'sometimes', '--data', '/tmp/fk-never'], {}, /--durability must be fsync or process/],
    [['--durability', 'process', '--journal', 'thread', '--data', '/tmp/fk-never'], {}, /--journal thread answers after the writer thread's fsync; --durability process commits on the event loop/],
    [['--cluster', 'prod'], {}, /--cluster is for a cluster node: give --nats URL and --postgres URL too/],
    [['--redis', 'redis://127.0.0.1:6379'], {}, /--redis is for a cluster node/],
    [[], { FENGKONG_NATS_URL: 'nats://127.0.0.1:4222' }, /needs --postgres URL/],
    [['--nats', 'n', '--postgres', 'p'], { FENGKONG_JETSTREAM_REPLICAS: 'three' }, /FENGKONG_JETSTREAM_REPLICAS=three: expected a whole number/],
    [['--nats', 'n', '--postgres', 'p', '--partitions', '0'], {}, /--partitions must be a whole number from 1 to 256, got 0/],
    [['--nats', 'n', '--postgres', 'p'], { FENGKONG_PARTITIONS: '999' }, /--partitions must be a whole number from 1 to 256, got 999/],
    [['--nats', 'n', '--postgres', 'p', '--redis', 'redis://127.0.0.1:6379'], {}, /--redis: a cluster keeps nothing in Redis/],
  ];
  for (const [args, env, want] of cases) {
    const r = serve(args, env);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('a partition count other than the cluster\'s is refused naming both, and an unreachable service fails in one line naming it', async (t) => {
  const db = await freshPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'fk-serve-cluster-'));
  const env = { FENGKONG_MASTER_KEY_FILE: join(dir, 'master.key') };
  t.after(async () => {
    const nats = await connectCluster({ url: NATS_URL, cluster: db.cluster });
    await deleteClusterObjects(nats.jsm, nats.names);
    await nats.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  // a cluster created with three partitions (its settings row, as its first node writes it)
  const keys = spawnSync(process.execPath, [BIN, 'keys', 'list', '--postgres', db.url, '--cluster', db.cluster], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(keys.status, 0, keys.stderr);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`INSERT INTO ${pg.escapeIdentifier(schemaOf(db.cluster))}.cluster_settings (name, value) VALUES ('partitions', '3')`);
  await client.end();
  const two = serve(['--nats', NATS_URL, '--postgres', db.url, '--cluster', db.cluster, '--partitions', '2'], env);
  assert.notEqual(two.status, 0);
  assert.match(two.stderr, /has 3 partition\(s\), fixed when it was created; --partitions 2 cannot change it/);
  assert.doesNotMatch(two.stderr, /\n\s+at /, 'no stack trace');
  const noNats = serve(['--nats', 'nats://127.0.0.1:1', '--postgres', db.url, '--cluster', db.cluster], env);
  assert.notEqual(noNats.status, 0);
  assert.match(noNats.stderr, /127\.0\.0\.1:1/);
  assert.doesNotMatch(noNats.stderr, /\n\s+at /, 'no stack trace');
});
