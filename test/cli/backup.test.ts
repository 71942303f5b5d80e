// `fengkong backup` / `fengkong restore` through the real CLI: a backup taken while a server decides
// under load, restored into a new folder, serves every decision answered before the backup began
// byte for byte; a changed byte or a wrong master key is refused and nothing is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { baseWorld, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir, type Answer } from '../server/helpers.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

/** The CLI run asynchronously, so this process's server keeps answering meanwhile. */
function cliAsync(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('backup under load, restore into a new folder: every decision answered before the backup is served byte for byte', async (t) => {
  // a checkpointer writing snapshots often, so the backup holds one that must not cover more than its journal
  const a = await startTestServer({ snapshots: { everyEntries: 40, pollMs: 50 } });
  const work = tempDir('fk-backup-work-');
  const restored = join(work, 'restored');
  const masterKeyFile = join(a.dir, 'master.key');
  t.after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(a.dir, { recursive: true, force: true });
  });
  await feed(a.url, a.keys.admin, baseWorld());
  assert.ok(existsSync(masterKeyFile), 'the server made the default master key');

  const answered: Answer[] = [];
  let running = true;
  let n = 0;
  let failed: unknown = null;
  const load = (async () => {
    while (running) {
      const batch = [0, 1, 2, 3].map(() => {
        n++;
        // 10 s apart: the load runs until the checkpointer (idle scheduling class) wrote a snapshot, which on a
        // busy machine takes tens of thousands of payments, and none may be dated ahead of the server's clock
        return call(a.url, '/v1/decisions', { key: a.keys.decide, body: tx(n * 10_000, { amount: 1_000 + (n % 50) * 100 }) });
      });
      for (const r of await Promise.all(batch)) {
        assert.equal(r.status, 200, r.text);
        answered.push(r);
      }
    }
  })().catch((e: unknown) => {
    failed = e;
  });
  while (answered.length < 40 || !existsSync(join(a.dir, 'snapshots')) || !readdirSync(join(a.dir, 'snapshots')).some((f) => f.endsWith('.fks'))) {
    if (failed !== null) throw failed; // a failed load fails the test instead of leaving it waiting for a snapshot
    await new Promise((r) => setTimeout(r, 10));
  }

  const out = join(work, 'fk.backup');
  const before = answered.slice();
  const during = answered.length;
  const run = await cliAsync('backup', '--data', a.dir, '--out', out);
  const after = answered.length;
  running = false;
  await load;
  if (failed !== null) throw failed;
  assert.equal(run.status, 0, run.stderr);
  t.diagnostic(`${run.stdout.trim()}; ${during} answered at start, ${after} at end; ${run.stderr.trim().split('\n').join('; ')}`);
  assert.match(run.stdout, /^backup: \d+ files, \d+ bytes, verified\n$/);
  assert.ok(after > during, `the server kept deciding during the backup (${during} → ${after})`);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.ok(!readFileSync(out).includes(Buffer.from('SQLite format 3')), 'nothing in clear');

  // a changed byte: refused, nothing written
  const bytes = readFileSync(out);
  const bad = Buffer.from(bytes);
  bad[bad.length - 100] ^= 0x01;
  const tampered = join(work, 'tampered.backup');
  writeFileSync(tampered, bad);
  const t1 = cli('restore', '--from', tampered, '--data', join(work, 'x1'), '--master-key-file', masterKeyFile);
  assert.equal(t1.status, 2);
  assert.match(t1.stderr, /damaged or was changed/);
  assert.ok(!existsSync(join(work, 'x1')), 'nothing written for a tampered backup');

  // a wrong master key: refused, nothing written
  const wrongKey = join(work, 'wrong.key');
  writeFileSync(wrongKey, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
  const t2 = cli('restore', '--from', out, '--data', join(work, 'x2'), '--master-key-file', wrongKey);
  assert.equal(t2.status, 2);
  assert.match(t2.stderr, /master key is not the one this backup was made with/);
  assert.ok(!existsSync(join(work, 'x2')));

  // the real restore
  const ok = cli('restore', '--from', out, '--data', restored, '--master-key-file', masterKeyFile);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /restore: \d+ files into /);
  assert.equal(statSync(restored).mode & 0o777, 0o700);
  for (const f of readdirSync(restored)) if (f.endsWith('.db')) assert.equal(statSync(join(restored, f)).mode & 0o777, 0o600, f);
  assert.ok(readdirSync(restored).includes('fengkong.db'));
  assert.equal(readdirSync(join(restored, 'snapshots')).filter((f) => /^engine-\d+\.fks$/.test(f)).length, 1, 'the newest snapshot');

  // into a folder that is not empty: refused
  const again = cli('restore', '--from', out, '--data', restored, '--master-key-file', masterKeyFile);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /exists and is not empty/);

  await a.close(true);
  const b = await startTestServer({ dir: restored, keys: a.keys, masterKeyFile });
  t.after(() => b.close(true));
  for (const r of before) {
    const got = await call(b.url, `/v1/decisions/${encodeURIComponent(r.json.txId)}`, { key: b.keys.analyst });
    assert.equal(got.status, 200, `${r.json.txId}: ${got.text}`);
    assert.equal(got.text, r.text);
  }
  assert.ok(before.length >= 40);
});

test('backup and restore: --help, missing and unknown flags are named', () => {
  const h = cli('backup', '--help');
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage: fengkong backup --data DIR --out FILE/);
  const hr = cli('restore', '--help');
  assert.equal(hr.status, 0);
  assert.match(hr.stdout, /usage: fengkong restore --from FILE --data DIR/);
  const u = cli('backup', '--data', '/nonexistent', '--outt', 'x');
  assert.equal(u.status, 2);
  assert.match(u.stderr, /unknown option --outt/);
  const m = cli('backup', '--data', '/nonexistent');
  assert.equal(m.status, 2);
  assert.match(m.stderr, /--out is required/);
  const r = cli('restore', '--data', '/nonexistent');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--from is required/);
  const v = cli('restore', '--from');
  assert.equal(v.status, 2);
  assert.match(v.stderr, /--from needs a value/);
});
