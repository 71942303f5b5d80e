// The SQLite list store on a real file in a temp folder: the shared ListStore contract, then with
// the ListManager and the audit log: a round trip across a restart, refusals that change nothing,
// the audit hook committing with the change (or rolling it back), and an existing data folder
// gaining the tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ConflictError, ListError, NotFoundError } from '../../../src/errors.js';
import { ListSet } from '../../../src/lists/list-set.js';
import { ListManager } from '../../../src/lists/manager.js';
import { DEFAULT_LISTS, type ListChange, type ListEntry } from '../../../src/lists/types.js';
import { SqliteAuditLog } from '../../../src/store/sqlite/audit.js';
import { SqliteListStore } from '../../../src/store/sqlite/lists.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { listsContract } from '../contract/lists.js';
import { sqliteHarness } from './harness.js';
import { cryptOf } from '../../../src/store/sqlite/crypt.js';

listsContract('SqliteListStore', sqliteHarness('lists', (dataDir) => {
  const lists = SqliteListStore.open(dataDir);
  const hooked: SqliteListStore[] = [];
  return {
    port: {
      lists,
      withHook: (onChange) => {
        const s = SqliteListStore.open(dataDir, { onChange });
        hooked.push(s);
        return s;
      },
    },
    close: () => {
      for (const s of hooked) s.close();
      lists.close();
    },
  };
}));

const NOW = Date.UTC(2026, 10, 26, 8, 0, 0);
const HOUR = 3_600_000;

/** A data folder under /tmp/lists-*, removed after `fn` (awaited: the ListManager's changes are). */
async function withDir(fn: (data: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lists-'));
  try {
    await fn(join(dir, 'data'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const entry = (value: string, expiresAt: number | null = null, reason = 'r'): ListEntry => ({ value, reason, author: 'key_admin', addedAt: NOW, expiresAt });

test('round trip: lists and entries written through the manager are back after a restart', () => {
  return withDir(async (data) => {
    const store = SqliteListStore.open(data);
    const live = new ListSet();
    const m = new ListManager(live, store);
    await m.createList({ name: 'risky_mccs', kind: 'string', purpose: 'watch', description: 'Betting and crypto MCCs' }, { actor: 'key_admin', now: NOW });
    await m.addEntry('risky_mccs', { value: '7995', reason: 'betting' }, { actor: 'key_admin', now: NOW });
    await m.addEntry('block_devices', { value: 'dev-1', reason: 'stolen', expiresAt: NOW + 2 * HOUR }, { actor: 'key_a', now: NOW });
    await m.addEntry('block_devices', { value: 'dev-2', reason: 'emulator farm' }, { actor: 'key_b', now: NOW + 1 });
    await m.addEntry('block_ips', { value: '10.6.6.6', reason: 'proxy' }, { actor: 'key_b', now: NOW });
    await m.removeEntry('block_ips', '10.6.6.6', { actor: 'key_b', now: NOW });
    store.close();

    // restart: a new store on the same file, loaded into a fresh ListSet
    const again = SqliteListStore.open(data);
    const loaded = new ListSet();
    assert.equal(again.loadInto(loaded, NOW + HOUR), 3);
    assert.deepEqual(loaded.lists(), live.lists().map((l) => (l.builtin ? { ...l, createdAt: loaded.require(l.name).createdAt } : l)));
    assert.deepEqual(loaded.require('risky_mccs'), { name: 'risky_mccs', kind: 'string', purpose: 'watch', description: 'Betting and crypto MCCs', createdBy: 'key_admin', createdAt: NOW, builtin: false });
    assert.deepEqual(loaded.get('block_devices', 'dev-1'), { value: 'dev-1', reason: 'stolen', author: 'key_a', addedAt: NOW, expiresAt: NOW + 2 * HOUR });
    assert.equal(loaded.has('block_devices', 'dev-2', NOW), true);
    assert.equal(loaded.has('risky_mccs', '7995', NOW), true);
    assert.equal(loaded.has('block_ips', '10.6.6.6', NOW), false, 'the removal is durable too');
    assert.deepEqual(
      again.lists().filter((l) => l.entries > 0).map((l) => [l.name, l.entries]),
      [['block_devices', 2], ['risky_mccs', 1]],
    );
    // an entry expired by load time is not loaded
    const later = new ListSet();
    assert.equal(again.loadInto(later, NOW + 2 * HOUR), 2);
    assert.equal(later.get('block_devices', 'dev-1'), undefined);
    again.close();
  });
});

test('the default lists are in the file from the first open, once, and cannot be deleted', () => {
  return withDir(async (data) => {
    const s = SqliteListStore.open(data, {});
    const names = s.lists().map((l) => l.name);
    assert.deepEqual(names, DEFAULT_LISTS.map((d) => d.name).sort());
    assert.ok(s.lists().every((l) => l.builtin && l.entries === 0 && l.createdBy === 'system'));
    s.close();
    const t = SqliteListStore.open(data);
    assert.equal(t.lists().length, DEFAULT_LISTS.length);
    assert.throws(() => t.deleteList('block_accounts', 'key_admin'), ConflictError);
    t.close();
  });
});

test('refusals change nothing: duplicate list, unknown list, missing entry, bad input, expired entry', () => {
  return withDir(async (data) => {
    const store = SqliteListStore.open(data);
    const set = new ListSet();
    store.loadInto(set);
    const m = new ListManager(set, store);
    await m.addEntry('block_accounts', { value: 'acc-1', reason: 'mule' }, { actor: 'key_admin', now: NOW });
    const dump = (): string => JSON.stringify([store.lists(), store.entries('block_accounts'), set.lists(), set.entries('block_accounts')]);
    const before = dump();
    await assert.rejects(() => m.createList({ name: 'block_accounts', kind: 'account', purpose: 'block' }, { actor: 'k' }), ConflictError);
    assert.throws(() => store.createList({ ...set.require('block_accounts') }, 'k'), ConflictError);
    await assert.rejects(() => m.addEntry('stolen_devices', { value: 'd', reason: 'r' }, { actor: 'k' }), NotFoundError);
    assert.throws(() => store.putEntry('stolen_devices', entry('d'), 'k'), NotFoundError);
    await assert.rejects(() => m.removeEntry('block_accounts', 'acc-404', { actor: 'k' }), NotFoundError);
    await assert.rejects(() => m.addEntry('block_accounts', { value: 'acc-2', reason: '' }, { actor: 'k' }), (e: unknown) => e instanceof ListError && e.path === 'reason');
    await assert.rejects(
      () => m.addEntry('block_accounts', { value: 'acc-2', reason: 'r', expiresAt: NOW - 1 }, { actor: 'k', now: NOW }),
      (e: unknown) => e instanceof ListError && e.path === 'expiresAt' && /expired/.test(e.message),
    );
    await assert.rejects(() => m.deleteList('block_accounts', { actor: 'k' }), ConflictError);
    assert.throws(() => store.entries('stolen_devices'), NotFoundError);
    assert.equal(dump(), before);
    store.close();
  });
});

test('the audit hook commits with the change on the same connection, and a failing hook rolls it back', () => {
  return withDir(async (data) => {
    let failNext = false;
    let audit: SqliteAuditLog | null = null;
    const store = SqliteListStore.open(data, {
      onChange: (c: ListChange) => {
        if (failNext) throw new Error('audit disk full');
        audit?.append(c);
      },
    });
    audit = new SqliteAuditLog(store.database);
    const set = new ListSet();
    store.loadInto(set);
    const m = new ListManager(set, store);
    await m.addEntry('block_devices', { value: 'dev-1', reason: 'stolen' }, { actor: 'key_admin', now: NOW });
    await m.addEntry('block_devices', { value: 'dev-1', reason: 'stolen, confirmed' }, { actor: 'key_lead', now: NOW + 1 });
    await m.removeEntry('block_devices', 'dev-1', { actor: 'key_lead', now: NOW + 2 });
    const log = audit.list({ action: 'list.' }).reverse();
    // a device value is recorded as its token (the clear value sealed beside it): encryption at rest
    const t = `lists/block_devices/${cryptOf(store.database).token('device', 'dev-1')}`;
    assert.match(t, /^lists\/block_devices\/t:[0-9a-f]{64}$/);
    assert.deepEqual(
      log.map((e) => [e.actor, e.action, e.target]),
      [
        ['key_admin', 'list.entry.add', t],
        ['key_lead', 'list.entry.add', t],
        ['key_lead', 'list.entry.remove', t],
      ],
    );
    assert.ok(!JSON.stringify(log).includes('dev-1'));
    assert.equal(log[0].before, null);
    assert.equal((log[1].before as ListEntry).reason, 'stolen');
    assert.equal((log[1].after as ListEntry).reason, 'stolen, confirmed');
    assert.equal(log[2].after, null);

    failNext = true;
    await assert.rejects(() => m.addEntry('block_devices', { value: 'dev-2', reason: 'r' }, { actor: 'key_admin', now: NOW }), /audit disk full/);
    assert.equal(store.entries('block_devices').entries.length, 0, 'the store rolled back');
    assert.equal(set.has('block_devices', 'dev-2', NOW), false, 'memory never saw it');
    assert.equal(audit.list({ action: 'list.' }).length, 3);
    store.close();
  });
});

test('an existing data folder (journal and keys only) gains the list tables; the journal store still opens it', () => {
  return withDir(async (data) => {
    const old = new SqliteStore(data);
    old.createKey('h'.repeat(64), 'admin');
    old.close();
    const raw = new BetterSqlite3(join(data, 'fengkong.db'));
    const tables = (): string[] => (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    assert.ok(!tables().includes('lists'));
    const lists = SqliteListStore.open(data);
    lists.putEntry('block_terminals', entry('T9'), 'key_admin');
    lists.close();
    assert.ok(tables().includes('lists') && tables().includes('list_entries'));
    raw.close();
    const reopened = new SqliteStore(data);
    assert.equal(reopened.findKey('h'.repeat(64))?.role, 'admin');
    reopened.close();
    const again = SqliteListStore.open(data);
    assert.deepEqual(again.entries('block_terminals').entries.map((e) => e.value), ['T9']);
    again.close();
  });
});

test('entries are paged in value order; expired ones are left out when asked and purged without audit', () => {
  return withDir(async (data) => {
    let changes = 0;
    const s = SqliteListStore.open(data, { onChange: () => changes++ });
    for (const v of ['c', 'a', 'e', 'b', 'd']) s.putEntry('block_devices', entry(v, v === 'b' ? NOW + HOUR : null), 'k');
    assert.equal(changes, 5);
    const p1 = s.entries('block_devices', { limit: 2 });
    assert.deepEqual([p1.entries.map((e) => e.value), p1.next], [['a', 'b'], 'b']);
    const p2 = s.entries('block_devices', { limit: 2, after: p1.next ?? undefined });
    assert.deepEqual([p2.entries.map((e) => e.value), p2.next], [['c', 'd'], 'd']);
    const p3 = s.entries('block_devices', { limit: 2, after: 'd' });
    assert.deepEqual([p3.entries.map((e) => e.value), p3.next], [['e'], null]);
    assert.deepEqual(s.entries('block_devices', {}, NOW + HOUR).entries.map((e) => e.value), ['a', 'c', 'd', 'e']);
    assert.throws(() => s.entries('block_devices', { limit: 5000 }), ListError);
    assert.equal(s.purgeExpired(NOW + HOUR - 1), 0);
    assert.equal(s.purgeExpired(NOW + HOUR), 1);
    assert.equal(s.list('block_devices')?.entries, 4);
    assert.equal(changes, 5);
    s.close();
  });
});

test('a list deleted is gone with its entries; a second connection (the CLI beside a server) sees every change', () => {
  return withDir(async (data) => {
    const server = SqliteListStore.open(data);
    const cli = SqliteListStore.open(data);
    const set = new ListSet();
    const m = new ListManager(set, server);
    await m.createList({ name: 'temp_blocks', kind: 'account', purpose: 'block' }, { actor: 'key_admin', now: NOW });
    await m.addEntry('temp_blocks', { value: 'acc-9', reason: 'r' }, { actor: 'key_admin', now: NOW });
    assert.equal(cli.list('temp_blocks')?.entries, 1);
    const c = await m.deleteList('temp_blocks', { actor: 'key_admin' });
    assert.deepEqual([c.action, c.target, (c.before as { name: string }).name, c.after], ['list.delete', 'lists/temp_blocks', 'temp_blocks', null]);
    assert.equal(cli.list('temp_blocks'), undefined);
    const raw = new BetterSqlite3(join(data, 'fengkong.db'), { readonly: true });
    assert.equal((raw.prepare("SELECT count(*) AS n FROM list_entries WHERE list = 'temp_blocks'").get() as { n: number }).n, 0);
    raw.close();
    server.close();
    cli.close();
  });
});
