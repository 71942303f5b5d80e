// kill -9 while a snapshot is being written: a child process writes snapshots of a sizeable engine
// in a loop and is killed while a temp file is open. What is left is never trusted: every file
// under a snapshot's name is complete (both checksums hold), the half-written temp file is ignored
// by a start and removed by the next checkpointer, and a start restores from a complete snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine } from '../../src/engine/engine.js';
import { listSnapshots, removeTempFiles } from '../../src/engine/snapshot/engine-snapshot.js';
import { readSnapshotFile, readSnapshotHeader } from '../../src/engine/snapshot/format.js';
import { restoreEngine } from '../../src/log/restore.js';
import type { Journal, JournalEntry } from '../../src/log/journal.js';
import { ROOT } from '../helpers/paths.js';
import { defaultPolicy } from '../engine/world.js';
import { tempDir } from './helpers.js';

const mod = (p: string): string => pathToFileURL(join(ROOT, 'dist', 'src', p)).href;

/** The child: an engine with 60,000 payments, then snapshot after snapshot into argv[1], forever. */
const CHILD = `
import { Engine } from '${mod('engine/engine.js')}';
import { loadPolicy } from '${mod('engine/policy-source.js')}';
import { parseEvent } from '${mod('contract/parse.js')}';
import { pruneSnapshots, writeEngineSnapshot } from '${mod('engine/snapshot/engine-snapshot.js')}';
import { textCrc32 } from '${mod('engine/snapshot/format.js')}';
const dir = process.argv[1];
const e = new Engine(loadPolicy());
const t0 = Date.UTC(2026, 10, 1);
for (let i = 0; i < 60000; i++) {
  e.apply(parseEvent({ type: 'transaction', id: 'c-' + i, ts: new Date(t0 + i * 20000).toISOString(), accountId: 'A' + (i % 5000),
    amount: 1000 + (i % 97) * 100, currency: 'CNY', merchantId: 'M' + (i % 300), terminalId: 'T' + (i % 600), deviceId: 'D' + (i % 7000),
    ip: '10.0.' + (i % 200) + '.1', channel: 'qr' }));
}
process.stdout.write('ready\\n');
for (let seq = 1; ; seq++) {
  const mark = { seq, receivedAt: seq, eventCrc32: textCrc32('entry ' + seq) };
  writeEngineSnapshot(e, dir, { seq, policy: { name: 'default', key: null, modelHash: null }, writer: 'crash-test', mark });
  pruneSnapshots(dir, 2);
}
`;

/** A journal of `lastSeq` entries, entry n being 'entry n' received at n (what the child marks its snapshots with). */
function journalOf(lastSeq: number): Journal {
  const entry = (seq: number): JournalEntry => ({ seq, type: 'label', txId: null, event: `entry ${seq}`, decision: null, receivedAt: seq });
  return {
    lastSeq: () => lastSeq,
    forEachEventInRange: (range, cb) => {
      for (let s = range.fromSeq ?? 1; s <= Math.min(range.toSeq ?? lastSeq, lastSeq); s++) if (cb(entry(s)) === false) return;
    },
    forEachEvent: () => {},
    append: () => {},
    decision: () => undefined,
    close: () => {},
  };
}

test('kill -9 during a snapshot write leaves no half snapshot that is trusted', async () => {
  const dir = tempDir('fk-snap-crash-');
  try {
    let killedMidWrite = false;
    for (let attempt = 0; attempt < 5 && !killedMidWrite; attempt++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<string | null>((r) => child.once('exit', (_code, signal) => r(signal)));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => (c.toString().includes('ready') ? resolve() : undefined));
        child.once('exit', (code) => reject(new Error(`child exited ${code} before writing`)));
      });
      // wait until a temp file is being written beside a complete snapshot, then kill at once (by the
      // clock, not a count of turns: on a busy machine the first snapshot takes a while)
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (readdirSync(dir).some((n) => n.endsWith('.tmp')) && listSnapshots(dir).length > 0) break;
        await new Promise((r) => setImmediate(r));
      }
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const temps = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
      if (temps.length > 0) {
        // the temp file is half a snapshot: its length is not what its header says (or it has no header yet)
        let half = true;
        try {
          readSnapshotHeader(join(dir, temps[0]));
          half = false;
        } catch {
          // truncated
        }
        killedMidWrite ||= half;
      }
      // every file under a snapshot's name is complete
      for (const s of listSnapshots(dir)) assert.doesNotThrow(() => readSnapshotFile(s.file), `${s.file} is complete`);
      const newest = listSnapshots(dir)[0];
      assert.ok(newest !== undefined, 'a complete snapshot was written before the kill');
      const r = restoreEngine(dir, defaultPolicy(), () => new Engine(defaultPolicy()), journalOf(newest.seq));
      assert.deepEqual(r.skipped, []);
      assert.equal(r.seq, newest.seq, 'a start restores the newest complete snapshot');
      assert.ok(r.engine.accountCount === 5000);
      // the temp file is never listed, and the next checkpointer removes it
      assert.ok(listSnapshots(dir).every((s) => !s.file.endsWith('.tmp')));
      assert.deepEqual(removeTempFiles(dir).length, temps.length);
    }
    assert.ok(killedMidWrite, 'a kill landed while a snapshot was half written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
