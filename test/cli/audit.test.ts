// `fengkong audit verify` through the real CLI on a data folder tampered with directly in SQLite:
// triggers dropped, then entries edited, deleted, swapped, inserted or the whole chain recomputed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { entryHash, GENESIS_HASH } from '../../src/audit/chain.js';
import type { AuditHead } from '../../src/audit/log.js';
import { dbPath, SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ROOT } from '../helpers/paths.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function verify(dir: string, ...extra: string[]): Run {
  return spawnSync(process.execPath, [CLI, 'audit', 'verify', '--data', dir, ...extra], { encoding: 'utf8' });
}

/** A data folder with five audit entries; its head as the server would give it. */
function folder(t: { after(fn: () => void): void }): { dir: string; head: AuditHead } {
  const dir = mkdtempSync(join(tmpdir(), 'fk-audit-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteStore(dir);
  store.audit.append({ actor: 'cli:ops', action: 'key.create', target: 'keys/key_1', after: { role: 'admin' } });
  store.audit.append({ actor: 'key_1', action: 'list.create', target: 'lists/x', after: { name: 'x', purpose: 'block' } });
  store.audit.append({ actor: 'key_1', action: 'list.entry.add', target: 'lists/x/acc-1', after: { reason: 'fraud ring' } });
  store.audit.append({ actor: 'key_1', action: 'mode.on', target: 'modes/m', before: { active: false }, after: { active: true } });
  store.audit.append({ actor: 'key_2', action: 'policy.publish', target: 'policies/7' });
  const head = store.audit.head();
  store.close();
  return { dir, head };
}

/** Opens the file as an attacker would: the append-only triggers dropped first. */
function tamper(dir: string, fn: (db: Database) => void): void {
  const db = new BetterSqlite3(dbPath(dir));
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    fn(db);
  } finally {
    db.close();
  }
}

function broken(r: Run, seq: number, why: RegExp): void {
  assert.equal(r.status, 1, `exit 1; stderr: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`broken at entry ${seq}:`));
  assert.match(r.stderr, why);
  assert.equal(r.stdout, '');
}

test('audit verify: a whole chain is ok, with its size and head', (t) => {
  const { dir, head } = folder(t);
  const r = verify(dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `ok, 5 entries, head ${head.hash} (seq 5)\n`);
  const pinned = verify(dir, '--pin', `3:${'0'.repeat(64)}`);
  broken(pinned, 3, /not the pinned/);
  const json = verify(dir, '--json');
  assert.deepEqual(JSON.parse(json.stdout), { ok: true, entries: 5, head });
});

test('audit verify: an edited entry is named', (t) => {
  const { dir } = folder(t);
  tamper(dir, (db) => db.exec("UPDATE audit_log SET actor = 'key_9' WHERE seq = 3"));
  broken(verify(dir), 3, /does not match its contents .*: the entry was edited/);
});

test('audit verify: an edited snapshot is named, and one that is no longer JSON too', (t) => {
  const { dir } = folder(t);
  tamper(dir, (db) => db.exec(`UPDATE audit_log SET after = '{"active":false}' WHERE seq = 4`));
  broken(verify(dir), 4, /edited/);
  tamper(dir, (db) => db.exec(`UPDATE audit_log SET after = '{not json' WHERE seq = 2`));
  broken(verify(dir), 2, /after is not JSON/);
});

test('audit verify: a deleted entry is named by the first entry after the gap', (t) => {
  const { dir } = folder(t);
  tamper(dir, (db) => db.exec('DELETE FROM audit_log WHERE seq = 2'));
  broken(verify(dir), 3, /entries 2…2 are missing/);
});

test('audit verify: a deleted entry with the later ones renumbered breaks the link', (t) => {
  const { dir } = folder(t);
  tamper(dir, (db) => {
    db.exec('DELETE FROM audit_log WHERE seq = 2');
    for (const s of [3, 4, 5]) db.exec(`UPDATE audit_log SET seq = ${s - 1} WHERE seq = ${s}`);
  });
  broken(verify(dir), 2, /prevHash .* is not the hash of the entry before it/);
});

test('audit verify: two entries swapped are caught at the first of them', (t) => {
  const { dir } = folder(t);
  tamper(dir, (db) => {
    db.exec('UPDATE audit_log SET seq = 100 WHERE seq = 2');
    db.exec('UPDATE audit_log SET seq = 2 WHERE seq = 3');
    db.exec('UPDATE audit_log SET seq = 3 WHERE seq = 100');
  });
  broken(verify(dir), 2, /prevHash/);
});

test('audit verify: an entry inserted in the middle or at the end is named', (t) => {
  const { dir } = folder(t);
  tamper(dir, (db) => {
    for (const s of [5, 4, 3]) db.exec(`UPDATE audit_log SET seq = ${s + 1} WHERE seq = ${s}`);
    const prev = (db.prepare('SELECT hash FROM audit_log WHERE seq = 2').get() as { hash: string }).hash;
    // a forger who knows the scheme: entry 3 itself hashes right, but entry 4 no longer links to it
    const e = { seq: 3, at: 1, actor: 'key_1', action: 'list.entry.remove', target: 'lists/x/acc-1', before: null, after: null, prevHash: prev };
    db.prepare('INSERT INTO audit_log (seq, at, actor, action, target, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.seq, e.at, e.actor, e.action, e.target, prev, entryHash(e));
  });
  broken(verify(dir), 4, /prevHash/);

  const second = folder(t);
  tamper(second.dir, (db) => {
    db.prepare("INSERT INTO audit_log (seq, at, actor, action, target, prev_hash, hash) VALUES (6, 1, 'x', 'y.z', 't', ?, ?)").run(second.head.hash, 'f'.repeat(64));
  });
  broken(verify(second.dir), 6, /edited/);
});

test('audit verify: a rewrite with every hash recomputed, or entries cut from the end, only a pinned head catches', (t) => {
  const { dir, head } = folder(t);
  const pin = `${head.seq}:${head.hash}`;
  tamper(dir, (db) => {
    db.exec("UPDATE audit_log SET actor = 'key_9' WHERE seq = 2");
    let prev = GENESIS_HASH;
    const rows = db.prepare('SELECT seq, at, actor, action, target, before, after FROM audit_log ORDER BY seq').all() as {
      seq: number; at: number; actor: string; action: string; target: string; before: string | null; after: string | null;
    }[];
    for (const r of rows) {
      const e = { ...r, before: r.before === null ? null : (JSON.parse(r.before) as unknown), after: r.after === null ? null : (JSON.parse(r.after) as unknown), prevHash: prev };
      const h = entryHash(e);
      db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, h, r.seq);
      prev = h;
    }
  });
  assert.equal(verify(dir).status, 0, 'consistent in itself');
  broken(verify(dir, '--pin', pin), 5, /not the pinned/);

  const cut = folder(t);
  const cutPin = `${cut.head.seq}:${cut.head.hash}`;
  tamper(cut.dir, (db) => db.exec('DELETE FROM audit_log WHERE seq >= 4'));
  assert.equal(verify(cut.dir).status, 0);
  broken(verify(cut.dir, '--pin', cutPin), 5, /not in the log \(it ends at 3\)/);
});

test('audit verify: --help, and bad input named', (t) => {
  const help = spawnSync(process.execPath, [CLI, 'audit', 'verify', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /fengkong audit verify/);
  const none = spawnSync(process.execPath, [CLI, 'audit'], { encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /expected "audit verify"/);
  const { dir } = folder(t);
  const pin = verify(dir, '--pin', 'abc');
  assert.equal(pin.status, 2);
  assert.match(pin.stderr, /--pin must be SEQ:HASH/);
  const missing = verify(join(dir, 'nope'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--data .*nope: no fengkong\.db/);
});
