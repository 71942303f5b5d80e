// The contract every ListStore adapter passes: the default lists from the first open, changes that
// say what they did and bump the version (seen by every reader), refusals that change nothing, a
// change hook inside the change's transaction, paging in value order, and expiry. Every port call is
// awaited (a value satisfies await), so the same suite runs against an adapter that answers later.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, NotFoundError } from '../../../src/errors.js';
import { ListSet } from '../../../src/lists/list-set.js';
import type { ListChangeHook, ListStore } from '../../../src/lists/store.js';
import { DEFAULT_LISTS, type ListEntry, type ListInfo } from '../../../src/lists/types.js';
import { anotherOf, contractIt, type Open } from './harness.js';

/** The list store, and the same location opened with a change hook (the audit log's place). */
export interface ListsUnderTest {
  readonly lists: ListStore;
  /** Another handle on the same location whose changes call `hook`; closed with the harness. */
  withHook(hook: ListChangeHook): ListStore;
}

const NOW = Date.UTC(2026, 10, 26, 8, 0, 0);
const HOUR = 3_600_000;
const entry = (value: string, expiresAt: number | null = null, reason = 'r'): ListEntry => ({ value, reason, author: 'key_admin', addedAt: NOW, expiresAt });
const info = (name: string): ListInfo => ({ name, kind: 'account', purpose: 'watch', description: `the ${name} list`, createdBy: 'key_admin', createdAt: NOW, builtin: false });

/** Registers the ListStore suite for one adapter. */
export function listsContract(name: string, open: Open<ListsUnderTest>): void {
  describe(`ListStore contract: ${name}`, () => {
    contractIt(open, 'the default lists exist from the first open, once, empty, and cannot be deleted', async (h, { lists: s }) => {
      const names = DEFAULT_LISTS.map((d) => d.name).sort();
      assert.deepEqual((await s.lists()).map((l) => l.name), names, 'by name');
      assert.ok((await s.lists()).every((l) => l.builtin && l.entries === 0 && l.createdBy === 'system'));
      await assert.rejects(async () => s.deleteList('block_accounts', 'key_admin'), ConflictError);
      await s.putEntry('block_accounts', entry('acc-1'), 'key_admin');
      const again = (await h.reopen()).lists;
      assert.deepEqual((await again.lists()).map((l) => l.name), names);
      assert.equal((await again.list('block_accounts'))?.entries, 1);
    });

    contractIt(open, 'creates a list and says what it did; a taken name is a Conflict that changes nothing', async (_h, { lists: s }) => {
      const v0 = await s.version();
      const c = await s.createList(info('mules'), 'key_a');
      assert.deepEqual(c, { actor: 'key_a', action: 'list.create', target: 'lists/mules', before: null, after: info('mules') });
      assert.deepEqual(await s.list('mules'), { ...info('mules'), entries: 0 });
      assert.equal(await s.version(), v0 + 1);
      await assert.rejects(async () => s.createList({ ...info('mules'), description: 'other' }, 'key_b'), ConflictError);
      assert.equal((await s.list('mules'))?.description, 'the mules list');
      assert.equal(await s.version(), v0 + 1, 'a refusal is no change');
      assert.equal(await s.list('nope'), undefined);
    });

    contractIt(open, 'puts, replaces and removes entries, each change with its before and after', async (_h, { lists: s }) => {
      const add = await s.putEntry('block_devices', entry('dev-1', null, 'stolen'), 'key_a');
      assert.deepEqual(add, { actor: 'key_a', action: 'list.entry.add', target: 'lists/block_devices/dev-1', before: null, after: entry('dev-1', null, 'stolen') });
      const again = await s.putEntry('block_devices', entry('dev-1', NOW + HOUR, 'stolen, confirmed'), 'key_b');
      assert.deepEqual([again.before, again.after], [entry('dev-1', null, 'stolen'), entry('dev-1', NOW + HOUR, 'stolen, confirmed')]);
      assert.equal((await s.list('block_devices'))?.entries, 1, 'replaced, not added');
      const rm = await s.removeEntry('block_devices', 'dev-1', 'key_c');
      assert.deepEqual([rm.action, rm.before, rm.after], ['list.entry.remove', entry('dev-1', NOW + HOUR, 'stolen, confirmed'), null]);
      assert.deepEqual((await s.entries('block_devices')).entries, []);
    });

    contractIt(open, 'unknown lists and values are NotFound, and change nothing', async (_h, { lists: s }) => {
      await s.putEntry('block_ips', entry('10.0.0.1'), 'k');
      const v = await s.version();
      await assert.rejects(async () => s.putEntry('stolen_devices', entry('d'), 'k'), NotFoundError);
      await assert.rejects(async () => s.removeEntry('stolen_devices', 'd', 'k'), NotFoundError);
      await assert.rejects(async () => s.removeEntry('block_ips', '10.0.0.2', 'k'), NotFoundError);
      await assert.rejects(async () => s.deleteList('stolen_devices', 'k'), NotFoundError);
      await assert.rejects(async () => s.entries('stolen_devices'), NotFoundError);
      assert.equal(await s.version(), v);
      assert.deepEqual((await s.entries('block_ips')).entries.map((e) => e.value), ['10.0.0.1']);
    });

    contractIt(open, 'a deleted list is gone with its entries; the name can be used again, empty', async (_h, { lists: s }) => {
      await s.createList(info('temp'), 'k');
      await s.putEntry('temp', entry('acc-9'), 'k');
      const c = await s.deleteList('temp', 'key_x');
      assert.deepEqual([c.action, c.target, c.before, c.after], ['list.delete', 'lists/temp', info('temp'), null]);
      assert.equal(await s.list('temp'), undefined);
      await s.createList(info('temp'), 'k');
      assert.deepEqual((await s.entries('temp')).entries, []);
    });

    contractIt(open, 'entries page in value order; expired ones are left out when asked', async (_h, { lists: s }) => {
      for (const v of ['c', 'a', 'e', 'b', 'd']) await s.putEntry('block_devices', entry(v, v === 'b' ? NOW + HOUR : null), 'k');
      const p1 = await s.entries('block_devices', { limit: 2 });
      assert.deepEqual([p1.entries.map((e) => e.value), p1.next], [['a', 'b'], 'b']);
      const p2 = await s.entries('block_devices', { limit: 2, after: p1.next ?? undefined });
      assert.deepEqual([p2.entries.map((e) => e.value), p2.next], [['c', 'd'], 'd']);
      const p3 = await s.entries('block_devices', { limit: 2, after: 'd' });
      assert.deepEqual([p3.entries.map((e) => e.value), p3.next], [['e'], null]);
      assert.deepEqual((await s.entries('block_devices', { limit: 5 })).next, null, 'an exact last page says so');
      assert.deepEqual((await s.entries('block_devices', {}, NOW + HOUR - 1)).entries.length, 5);
      assert.deepEqual((await s.entries('block_devices', {}, NOW + HOUR)).entries.map((e) => e.value), ['a', 'c', 'd', 'e']);
      assert.equal((await s.list('block_devices'))?.entries, 5, 'counts include expired entries not yet purged');
    });

    contractIt(open, 'purging expired entries is no change: no version bump, no hook', async (_h, { lists: s, withHook }) => {
      let calls = 0;
      const hooked = withHook(() => calls++);
      await hooked.putEntry('block_devices', entry('x', NOW + HOUR), 'k');
      await hooked.putEntry('block_devices', entry('y'), 'k');
      assert.equal(calls, 2);
      const v = await s.version();
      assert.equal(await hooked.purgeExpired(NOW + HOUR - 1), 0);
      assert.equal(await hooked.purgeExpired(NOW + HOUR), 1);
      assert.deepEqual((await s.entries('block_devices')).entries.map((e) => e.value), ['y']);
      assert.equal(await s.version(), v);
      assert.equal(calls, 2);
    });

    contractIt(open, 'loads every list and the entries not expired at a time into a ListSet', async (_h, { lists: s }) => {
      await s.createList(info('risky'), 'k');
      await s.putEntry('risky', entry('acc-1'), 'k');
      await s.putEntry('block_devices', entry('dev-1', NOW + HOUR), 'k');
      await s.putEntry('block_devices', entry('dev-2'), 'k');
      const set = new ListSet();
      assert.equal(await s.loadInto(set, NOW), 3);
      assert.deepEqual(set.require('risky'), info('risky'));
      assert.deepEqual(set.get('block_devices', 'dev-1'), entry('dev-1', NOW + HOUR));
      assert.equal(set.has('risky', 'acc-1', NOW), true);
      const later = new ListSet();
      assert.equal(await s.loadInto(later, NOW + HOUR), 2);
      assert.equal(later.get('block_devices', 'dev-1'), undefined);
      assert.equal(later.lists().length, DEFAULT_LISTS.length + 1);
    });

    contractIt(open, 'the version counts every committed change, by any handle', async (h, { lists: s }) => {
      const other = (await anotherOf(h)).lists;
      const v0 = await s.version();
      assert.equal(await other.version(), v0);
      await other.putEntry('block_accounts', entry('a'), 'cli:ops');
      assert.equal(await s.version(), v0 + 1, 'a reader sees another writer\'s change');
      assert.equal((await s.list('block_accounts'))?.entries, 1);
      await s.removeEntry('block_accounts', 'a', 'k');
      assert.equal(await other.version(), v0 + 2);
    });

    contractIt(open, 'the hook sees each change with the version after it; a throwing hook rolls the change back', async (_h, { lists: s, withHook }) => {
      const seen: [string, number][] = [];
      let fail = false;
      const hooked = withHook((c, v) => {
        if (fail) throw new Error('audit disk full');
        seen.push([c.action, v]);
      });
      const v0 = await s.version();
      await hooked.createList(info('w'), 'k');
      await hooked.putEntry('w', entry('1'), 'k');
      assert.deepEqual(seen, [['list.create', v0 + 1], ['list.entry.add', v0 + 2]]);
      fail = true;
      await assert.rejects(async () => hooked.putEntry('w', entry('2'), 'k'), /audit disk full/);
      await assert.rejects(async () => hooked.deleteList('w', 'k'), /audit disk full/);
      assert.deepEqual((await s.entries('w')).entries.map((e) => e.value), ['1']);
      assert.equal(await s.version(), v0 + 2);
    });

    contractIt(open, 'lists, entries and the version survive a reopen', async (h, { lists: s }) => {
      await s.createList(info('kept'), 'k');
      await s.putEntry('kept', entry('v1', NOW + HOUR), 'k');
      const v = await s.version();
      const again = (await h.reopen()).lists;
      assert.deepEqual(await again.list('kept'), { ...info('kept'), entries: 1 });
      assert.deepEqual((await again.entries('kept')).entries, [entry('v1', NOW + HOUR)]);
      assert.equal(await again.version(), v);
    });
  });
}
