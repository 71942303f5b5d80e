// The checkpointer runs as a child process of the server: every thread of it in the idle scheduling
// class (where Linux and `chrt` allow it), and gone when the server is gone, even after kill -9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../../src/server/server.js';
import { ConfigError } from '../../src/errors.js';
import { restAfter, startCheckpointer } from '../../src/wiring/checkpointer.js';
import { serveCli } from '../helpers/serve-cli.js';
import { call, startTestServer, tempDir } from '../server/helpers.js';
import { account } from '../engine/world.js';
import { ROOT } from '../helpers/paths.js';

/** SCHED_IDLE in /proc/<pid>/stat's `policy` field (field 41). */
const SCHED_IDLE = 5;

function policyOf(pid: number, tid: string): number {
  const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[41 - 3]);
}

function canIdle(): boolean {
  if (!existsSync('/proc/self/stat')) return false;
  try {
    execFileSync('chrt', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pids whose parent is `ppid` and whose command line names the checkpointer. */
function checkpointersOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === ppid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('checkpointer-process.js')) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);

test('the checkpointer is a child process with every thread in the idle scheduling class', { skip: !canIdle() && 'needs Linux /proc and chrt' }, async () => {
  const dir = tempDir();
  const s = await startServer({ dataDir: dir, port: 0 });
  try {
    const pid = s.checkpointer?.pid;
    assert.ok(pid !== undefined && pid !== process.pid, 'a process of its own');
    const tids = readdirSync(`/proc/${pid}/task`);
    assert.ok(tids.length > 1, 'its V8 helper threads are its own');
    for (const tid of tids) assert.equal(policyOf(pid, tid), SCHED_IDLE, `thread ${tid} of the checkpointer`);
    // the server's own main thread keeps the normal class
    assert.notEqual(policyOf(process.pid, String(process.pid)), SCHED_IDLE);
    // and it still writes snapshots on request
    const w = await s.checkpointer!.snapshotNow(0);
    assert.equal(w, null, 'nothing journaled yet: the newest snapshot covers it');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(alive(s.checkpointer!.pid!), false, 'a graceful stop ends it');
});

test('kill -9 of the server leaves no checkpointer behind', { skip: !existsSync('/proc/self/stat') && 'needs Linux /proc' }, async () => {
  const dir = tempDir();
  const srv = await serveCli(['--data', dir]);
  try {
    const kids = checkpointersOf(srv.proc.pid!);
    assert.equal(kids.length, 1, `one checkpointer under the server (stderr: ${srv.stderr()})`);
    srv.proc.kill('SIGKILL');
    await srv.exited;
    const until = Date.now() + 10_000;
    while (alive(kids[0]) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(kids[0]), false, 'the checkpointer ends once its server is gone');
  } finally {
    srv.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Ctrl-C reaching the whole process group stops the server cleanly, its checkpointer with it', { skip: !existsSync('/proc/self/stat') && 'needs Linux /proc' }, async () => {
  const dir = tempDir();
  const srv = await serveCli(['--data', dir, '--warm-up-answers', '0'], { detached: true });
  try {
    const kids = checkpointersOf(srv.proc.pid!);
    assert.equal(kids.length, 1, `one checkpointer under the server (stderr: ${srv.stderr()})`);
    // the signal alone does not end it: its server does
    process.kill(kids[0], 'SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(alive(kids[0]), true, 'a SIGINT of its own leaves the checkpointer running');
    process.kill(-srv.proc.pid!, 'SIGINT');
    const end = await srv.exited;
    assert.deepEqual(end, { code: 0, signal: null }, srv.stderr());
    assert.match(srv.stderr(), /fengkong serve: stopped/);
    assert.doesNotMatch(srv.stderr(), /checkpointer stopped/, 'the checkpointer was not cut off before the server closed it');
    const until = Date.now() + 10_000;
    while (alive(kids[0]) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(kids[0]), false);
  } finally {
    srv.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a server gone while its checkpointer is still starting leaves no checkpointer behind', { skip: !existsSync('/proc/self/stat') && 'needs Linux /proc' }, async () => {
  const dir = tempDir();
  try {
    // a data folder a server has started on (a store with a live policy), as the checkpointer expects
    await (await startServer({ dataDir: dir, port: 0, snapshots: false })).close();
    const script = join(ROOT, 'dist', 'src', 'wiring', 'checkpointer-process.js');
    const start = JSON.stringify({ dataDir: dir, options: { everyEntries: 200_000, everyMs: 600_000, pollMs: 1_000, share: 0.25, keep: 2, write: true }, encryption: { masterKeyFile: join(dir, 'master.key'), enabled: true } });
    // the parent forks it and exits at once, before the child has even loaded its modules
    const r = spawnSync(process.execPath, ['-e', `const c = require('node:child_process').fork(${JSON.stringify(script)}, [${JSON.stringify(start)}], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }); console.log(c.pid); process.exit(0);`], { encoding: 'utf8' });
    const pid = Number(r.stdout.trim());
    assert.ok(pid > 0, `the parent printed its child's pid (${r.stdout} ${r.stderr})`);
    const until = Date.now() + 15_000;
    while (alive(pid) && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    assert.equal(alive(pid), false, 'the orphaned checkpointer stops by itself');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** CPU seconds (user + system, every thread) /proc says process `pid` has used. */
function cpuSeconds(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime (fields 14, 15) in clock ticks of 1/100 s
}

test('after a burst the checkpointer catches up taking about the share of a core it is given', { skip: !existsSync('/proc/self/stat') && 'needs Linux /proc' }, async () => {
  const burst = 30_000;
  // a snapshot once the burst is applied, so its appearance says the replica has caught up
  const s = await startTestServer({ snapshots: { everyEntries: burst, everyMs: 1e9, pollMs: 20, share: 0.2 } });
  try {
    // registrations: a batch endpoint takes them 2,000 a request, faster than the replica applies them
    const events: Record<string, unknown>[] = [];
    for (let i = 0; i < burst; i++) events.push(account(`burst-${i}`, { creditLimit: 1_000_000 + i }));
    const pid = s.server.checkpointer!.pid!;
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += 2_000) {
      const r = await call(s.url, '/v1/events', { method: 'POST', key: s.keys.admin, body: events.slice(i, i + 2_000) });
      assert.equal(r.status, 202, r.text);
    }
    const until = t0 + 120_000;
    while (s.server.checkpointer!.written.length === 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    const wall = (performance.now() - t0) / 1000;
    const used = cpuSeconds(pid) - cpu0;
    assert.equal(s.server.checkpointer!.written.length, 1, 'the replica caught up and wrote its snapshot');
    // the snapshot's own encoding and write run unrested, and /proc counts in hundredths: some slack
    assert.ok(wall >= 0.3, `the catch-up was long enough to measure (${wall.toFixed(2)} s)`);
    assert.ok(used / wall <= 0.35, `the checkpointer used ${used.toFixed(2)} s of CPU in the ${wall.toFixed(2)} s from the burst's start to its snapshot (share 0.2)`);
  } finally {
    await s.close();
  }
});

test('a checkpointer share outside (0, 1] is refused, naming the option', async () => {
  const dir = tempDir();
  try {
    await (await startServer({ dataDir: dir, port: 0, snapshots: false })).close();
    for (const share of [0, -0.5, 1.5, Number.NaN]) {
      await assert.rejects(startCheckpointer(dir, { share }), (e: Error) => e instanceof ConfigError && /share/.test(e.message) && /above 0 and at most 1/.test(e.message));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('restAfter: a rest that keeps work at the share, none when a snapshot waits or the lag would make restarts long', () => {
  const o = { share: 0.25, everyEntries: 1_000 };
  assert.equal(restAfter(50, o, 10, false), 150);
  assert.equal(restAfter(50, { ...o, share: 1 }, 10, false), 0);
  assert.equal(restAfter(50, o, 10, true), 0, 'a snapshot asked for is not kept waiting');
  assert.equal(restAfter(50, o, 2_000, false), 150, 'twice everyEntries behind still rests');
  assert.equal(restAfter(50, o, 2_001, false), 0, 'further behind it takes all it can');
});
