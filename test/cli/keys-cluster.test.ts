// `fengkong keys … --postgres URL` through the real CLI, against a fresh PostgreSQL database each
// (dropped after): create, list (table and --json), rate, revoke and rotate-data on the cluster's
// schema, each change audited in its audit_log; the flag combinations refused, naming the flags; an
// unreachable server a clear message, no stack trace.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { hashKey, keyIdOf } from '../../src/server/auth.js';
import { ROOT } from '../helpers/paths.js';
import { freshPostgres, type FreshPostgres } from '../helpers/services.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `fengkong keys …args` (asynchronously, so the test's own connections stay served). */
function keys(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'keys', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** A fresh database and a master key file for one test, both removed after. */
async function place(t: TestContext): Promise<{ db: FreshPostgres; at: string[] }> {
  const db = await freshPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'fk-keys-cluster-'));
  t.after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });
  return { db, at: ['--postgres', db.url, '--cluster', db.cluster, '--master-key-file', join(dir, 'master.key')] };
}

/** Rows of `sql` on the database of `db`, in the cluster's schema. */
async function query<R extends object>(db: FreshPostgres, sql: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`SET search_path = ${pg.escapeIdentifier(`fk_${db.cluster}`)}`);
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

function ok(r: Run): Run {
  assert.equal(r.status, 0, `exit ${r.status}\n${r.stderr}`);
  return r;
}

type View = { keyId: string; name: string | null; role: string; rate: number | null; revokedAt: number | null; revokedBy: string | null; revokeReason: string | null };

test('keys create, list, rate, revoke and rotate-data on a cluster: stored in its schema, audited in its audit_log', async (t) => {
  const { db, at } = await place(t);
  const created = ok(await keys(['create', '--role', 'decide', '--name', 'switch-1', '--rate', '50', ...at]));
  const key = created.stdout.trim();
  assert.match(key, /^\S{20,}$/, 'the key alone on stdout');
  const id = keyIdOf(hashKey(key));
  assert.match(created.stderr, new RegExp(`created ${id} "switch-1", a new decide key in cluster ${db.cluster} on postgres://`));
  const stored = await query<{ hash: string; role: string; name: string; rate: number }>(db, 'SELECT hash, role, name, rate FROM api_keys');
  assert.deepEqual(stored, [{ hash: hashKey(key), role: 'decide', name: 'switch-1', rate: 50 }], 'only the hash is stored');

  const table = ok(await keys(['list', ...at])).stdout;
  assert.match(table, /^KEY ID\s+NAME\s+ROLE\s+RATE\/S\s+CREATED\s+REVOKED$/m);
  assert.match(table, new RegExp(`^${id}\\s+switch-1\\s+decide\\s+50\\s+\\S+Z\\s+-$`, 'm'));
  assert.ok(!table.includes(hashKey(key).slice(0, 16)), 'never a hash beyond the id');
  const listed = JSON.parse(ok(await keys(['list', '--json', ...at])).stdout) as { keys: View[] };
  assert.deepEqual(listed.keys.map((k) => [k.keyId, k.name, k.role, k.rate, k.revokedAt]), [[id, 'switch-1', 'decide', 50, null]]);

  const rated = ok(await keys(['rate', id, '7', ...at]));
  assert.equal(rated.stdout, `${id} limited to 7 requests per second\n`);
  assert.match(rated.stderr, /applies it within 5 seconds/);
  assert.equal(ok(await keys(['rate', id, 'none', ...at])).stdout, `${id} unlimited\n`);
  assert.equal((JSON.parse(ok(await keys(['list', '--json', ...at])).stdout) as { keys: View[] }).keys[0]?.rate, null);

  const revoked = ok(await keys(['revoke', id, '--reason', 'leaked in a log', ...at]));
  assert.equal(revoked.stdout, `${id} revoked\n`);
  const after = (JSON.parse(ok(await keys(['list', '--json', ...at])).stdout) as { keys: View[] }).keys[0];
  assert.ok(after !== undefined && after.revokedAt !== null);
  assert.match(after.revokedBy ?? '', /^cli:/);
  assert.equal(after.revokeReason, 'leaked in a log');
  assert.match(ok(await keys(['list', ...at])).stdout, new RegExp(`${id}.* by cli:\\S+: leaked in a log`));
  const again = await keys(['revoke', id, '--reason', 'twice', ...at]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already revoked/);
  assert.equal((await keys(['rate', 'key_000000000000', '3', ...at])).status, 2, 'an unknown key is refused');

  const audit = await query<{ seq: string; actor: string; action: string; target: string; before: string | null; after: string | null }>(
    db, 'SELECT seq, actor, action, target, before, after FROM audit_log ORDER BY seq');
  assert.deepEqual(audit.map((e) => [e.action, e.target]), [
    ['key.create', `keys/${id}`], ['key.rate', `keys/${id}`], ['key.rate', `keys/${id}`], ['key.revoke', `keys/${id}`],
  ], 'one record per change, none for the refused ones');
  assert.ok(audit.every((e) => /^cli:/.test(e.actor)));
  const rate = (text: string | null): unknown => (text === null ? undefined : (JSON.parse(text) as { rate: unknown }).rate);
  assert.deepEqual(audit.map((e) => [rate(e.before), rate(e.after)]), [[undefined, 50], [50, 7], [7, null], [null, null]]);
  assert.equal((JSON.parse(audit[3]?.after ?? '{}') as View).revokeReason, 'leaked in a log');

  const rotated = ok(await keys(['rotate-data', ...at]));
  assert.equal(rotated.stdout, 'data key 2 is now active\n');
  assert.deepEqual((await query<{ id: number }>(db, 'SELECT id FROM data_keys ORDER BY id')).map((r) => r.id), [1, 2]);
  assert.equal(ok(await keys(['list', '--json', ...at])).status, 0, 'the cluster still opens after the rotation');
});

test('keys on a cluster: --cluster defaults to fengkong; two clusters on one database keep their keys apart', async (t) => {
  const { db, at } = await place(t);
  const mk = at.slice(4);
  const key = ok(await keys(['create', '--role', 'admin', '--postgres', db.url, ...mk])).stdout.trim();
  ok(await keys(['create', '--role', 'metrics', ...at]));
  const inDefault = JSON.parse(ok(await keys(['list', '--json', '--postgres', db.url, ...mk])).stdout) as { keys: View[] };
  assert.deepEqual(inDefault.keys.map((k) => [k.keyId, k.role]), [[keyIdOf(hashKey(key)), 'admin']]);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const schemas = await c.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'fk\\_%' ORDER BY 1");
    assert.deepEqual(schemas.rows.map((r) => r.n), [`fk_fengkong`, `fk_${db.cluster}`].sort());
  } finally {
    await c.end();
  }
});

test('keys: --data with --postgres, --cluster without --postgres and bad values are refused, naming the flags; nothing is opened', async () => {
  const url = 'postgres://postgres@127.0.0.1:1/nowhere';
  const cases: [string[], RegExp][] = [
    [['list', '--data', './d', '--postgres', url], /give --data \(a data folder\) or --postgres \(a cluster\), not both/],
    [['create', '--role', 'admin', '--postgres', url, '--data', './d'], /--data.*--postgres.*not both/],
    [['list', '--cluster', 'c1'], /--cluster names a cluster on PostgreSQL: give --postgres URL with it/],
    [['list', '--data', './d', '--master-key-file', 'm.key'], /--master-key-file does not apply to "keys list" on a data folder/],
    [['list', '--postgres', url, '--cluster', 'no-dash', '--master-key-file', 'm.key'], /cluster name "no-dash" is not usable.*--cluster/],
    [['list', '--postgres', 'mysql://x', '--master-key-file', 'm.key'], /is not a PostgreSQL URL.*--postgres/],
    [['create', '--role', 'root', '--postgres', url], /--role must be one of/],
  ];
  for (const [args, message] of cases) {
    const r = await keys(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const env = { ...process.env };
  delete env.FENGKONG_MASTER_KEY_FILE;
  const noKey = await keys(['list', '--postgres', url], env);
  assert.equal(noKey.status, 2);
  assert.match(noKey.stderr, /a cluster needs its master key file.*--master-key-file or set FENGKONG_MASTER_KEY_FILE/);
});

test('keys on an unreachable PostgreSQL: a clear message naming the URL (password hidden), exit 2, no stack trace', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-keys-cluster-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const started = Date.now();
  const r = await keys(['create', '--role', 'decide', '--postgres', 'postgres://ops:hunter2@127.0.0.1:1/risk', '--master-key-file', join(dir, 'm.key')]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '', 'no key printed');
  assert.match(r.stderr, /^fengkong keys: \[FK5005\] cannot open cluster fengkong on PostgreSQL at postgres:\/\/ops:\*\*\*@127\.0\.0\.1:1\/risk: .*ECONNREFUSED.*--postgres/);
  assert.doesNotMatch(r.stderr, /hunter2/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  assert.ok(Date.now() - started < 10_000, 'fails fast, and exits: nothing left open');
});
