// The in-memory lists: lookups at event time, expiry, pruning, validation that names the field and
// changes nothing, and lookups that stay O(1) as a list grows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ConflictError, ErrorCode, ListError, NotFoundError } from '../../src/errors.js';
import { ListSet } from '../../src/lists/list-set.js';
import { ListManager } from '../../src/lists/manager.js';
import { DEFAULT_LISTS, type ListEntry } from '../../src/lists/types.js';

const NOW = Date.UTC(2026, 10, 26, 8, 0, 0);
const HOUR = 3_600_000;

function snapshot(s: ListSet): unknown {
  return s.lists().map((l) => ({ l, e: s.entries(l.name, { limit: 1000 }).entries }));
}

/** Asserts `fn` throws a ListError on `field` whose message contains `says`, and that `s` did not change. */
function refuses(s: ListSet, fn: () => unknown, field: string, says: string | RegExp): void {
  const before = JSON.stringify(snapshot(s));
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ListError, String(e));
    assert.equal(e.code, ErrorCode.InvalidList);
    assert.equal(e.path, field);
    if (typeof says === 'string') assert.ok(e.message.includes(says), e.message);
    else assert.match(e.message, says);
    return true;
  });
  assert.equal(JSON.stringify(snapshot(s)), before, 'nothing changed');
}

test('the default lists always exist, empty, and cannot be deleted', () => {
  const s = new ListSet();
  assert.deepEqual(s.lists().map((l) => l.name), DEFAULT_LISTS.map((d) => d.name).sort());
  for (const l of s.lists()) {
    assert.equal(l.builtin, true);
    assert.equal(s.size(l.name), 0);
  }
  assert.throws(() => s.deleteList('block_devices'), ConflictError);
  assert.deepEqual(new ListSet({ defaults: false }).lists(), []);
});

test('has: a value added is on the list at once, removing it takes it off at once', () => {
  const s = new ListSet();
  assert.equal(s.has('block_devices', 'dev-1', NOW), false);
  const { before, after } = s.add('block_devices', { value: 'dev-1', reason: 'stolen phone reported' }, 'key_admin', NOW);
  assert.equal(before, null);
  assert.deepEqual(after, { value: 'dev-1', reason: 'stolen phone reported', author: 'key_admin', addedAt: NOW, expiresAt: null });
  assert.equal(s.has('block_devices', 'dev-1', NOW), true);
  assert.equal(s.has('block_devices', 'dev-2', NOW), false);
  assert.equal(s.has('block_accounts', 'dev-1', NOW), false, 'lists are separate');
  assert.equal(s.has('no_such_list', 'dev-1', NOW), false);
  assert.equal(s.has('block_devices', '', NOW), false, 'the unknown value is never on a list');
  assert.deepEqual(s.remove('block_devices', 'dev-1'), after);
  assert.equal(s.has('block_devices', 'dev-1', NOW), false);
  assert.throws(() => s.remove('block_devices', 'dev-1'), NotFoundError);
});

test('adding a value again replaces its entry and returns the one replaced', () => {
  const s = new ListSet();
  const first = s.add('block_ips', { value: '10.6.6.6', reason: 'botnet' }, 'key_a', NOW).after;
  const { before, after } = s.add('block_ips', { value: '10.6.6.6', reason: 'botnet, confirmed', expiresAt: NOW + HOUR }, 'key_b', NOW + 1);
  assert.deepEqual(before, first);
  assert.equal(after.author, 'key_b');
  assert.equal(s.size('block_ips'), 1);
  assert.equal(s.get('block_ips', '10.6.6.6')?.reason, 'botnet, confirmed');
});

test('expiry is compared with the event time: present before expiresAt, absent from it on, whatever the wall clock', () => {
  const s = new ListSet();
  const exp = NOW + 2 * HOUR;
  s.add('block_accounts', { value: 'acc-1', reason: 'fraud ring, temporary', expiresAt: exp }, 'key_admin', NOW);
  assert.equal(s.has('block_accounts', 'acc-1', exp - 1), true);
  assert.equal(s.has('block_accounts', 'acc-1', exp), false);
  assert.equal(s.has('block_accounts', 'acc-1', exp + HOUR), false);
  // replaying older events later still sees it: event time, not the wall clock, decides
  assert.equal(s.has('block_accounts', 'acc-1', NOW - 30 * 24 * HOUR), true);
  // an unknown event time cannot show an expiring entry is still live
  assert.equal(s.has('block_accounts', 'acc-1', NaN), false);
  assert.equal(s.get('block_accounts', 'acc-1', exp), undefined);
  assert.equal(s.get('block_accounts', 'acc-1', exp - 1)?.value, 'acc-1');
  // an ISO 8601 expiry with offset is the same instant
  s.add('block_accounts', { value: 'acc-2', reason: 'x', expiresAt: '2026-11-26T18:00:00+08:00' }, 'key_admin', NOW);
  assert.equal(s.get('block_accounts', 'acc-2')?.expiresAt, exp);
});

test('prune drops expired entries (wall clock), only when something can have expired', () => {
  const s = new ListSet();
  s.add('block_devices', { value: 'd1', reason: 'r', expiresAt: NOW + HOUR }, 'k', NOW);
  s.add('block_devices', { value: 'd2', reason: 'r', expiresAt: NOW + 3 * HOUR }, 'k', NOW);
  s.add('block_devices', { value: 'd3', reason: 'r' }, 'k', NOW);
  assert.equal(s.prune(NOW + HOUR - 1), 0);
  assert.equal(s.prune(NOW + HOUR), 1);
  assert.deepEqual(s.entries('block_devices').entries.map((e) => e.value), ['d2', 'd3']);
  assert.equal(s.prune(NOW + 2 * HOUR), 0);
  // adding prunes too
  s.add('block_ips', { value: '1.2.3.4', reason: 'r' }, 'k', NOW + 4 * HOUR);
  assert.deepEqual(s.entries('block_devices').entries.map((e) => e.value), ['d3']);
  assert.equal(s.has('block_devices', 'd3', NOW + 100 * HOUR), true);
});

test('entries are paged in value order, leaving out expired ones when asked', () => {
  const s = new ListSet();
  for (const v of ['c', 'a', 'e', 'b', 'd']) s.add('block_terminals', { value: v, reason: 'r', expiresAt: v === 'd' ? NOW + HOUR : null }, 'k', NOW);
  const p1 = s.entries('block_terminals', { limit: 2 });
  assert.deepEqual([p1.entries.map((e) => e.value), p1.next], [['a', 'b'], 'b']);
  const p2 = s.entries('block_terminals', { limit: 2, after: 'b' });
  assert.deepEqual([p2.entries.map((e) => e.value), p2.next], [['c', 'd'], 'd']);
  const p3 = s.entries('block_terminals', { limit: 2, after: 'd' });
  assert.deepEqual([p3.entries.map((e) => e.value), p3.next], [['e'], null]);
  assert.deepEqual(s.entries('block_terminals', {}, NOW + HOUR).entries.map((e) => e.value), ['a', 'b', 'c', 'e']);
  assert.throws(() => s.entries('block_terminals', { limit: 0 }), (e: unknown) => e instanceof ListError && e.path === 'limit');
});

test('bad entries are refused with the field named and what was expected, and change nothing', () => {
  const s = new ListSet();
  s.add('block_devices', { value: 'kept', reason: 'r' }, 'k', NOW);
  refuses(s, () => s.add('block_devices', { value: '', reason: 'r' }, 'k', NOW), 'value', 'a string of 1–128 printable characters');
  refuses(s, () => s.add('block_devices', { value: 'x'.repeat(129), reason: 'r' }, 'k', NOW), 'value', '1–128');
  refuses(s, () => s.add('block_devices', { value: 42, reason: 'r' }, 'k', NOW), 'value', '1–128');
  refuses(s, () => s.add('block_devices', { value: 'a\nb', reason: 'r' }, 'k', NOW), 'value', 'printable');
  refuses(s, () => s.add('block_devices', { value: ' dev', reason: 'r' }, 'k', NOW), 'value', 'no leading or trailing spaces');
  refuses(s, () => s.add('block_devices', { value: 'dev-2' }, 'k', NOW), 'reason', 'required');
  refuses(s, () => s.add('block_devices', { value: 'dev-2', reason: '   ' }, 'k', NOW), 'reason', 'non-empty');
  refuses(s, () => s.add('block_devices', { value: 'dev-2', reason: 'r', expiresAt: NOW - 1 }, 'k', NOW), 'expiresAt', 'expired already');
  refuses(s, () => s.add('block_devices', { value: 'dev-2', reason: 'r', expiresAt: NOW }, 'k', NOW), 'expiresAt', 'expired already');
  refuses(s, () => s.add('block_devices', { value: 'dev-2', reason: 'r', expiresAt: 'tomorrow' }, 'k', NOW), 'expiresAt', 'ISO 8601');
  refuses(s, () => s.add('block_devices', { value: 'dev-2', reason: 'r' }, '', NOW), 'author', 'non-empty');
  refuses(s, () => s.add('block_devices', 'dev-2', 'k', NOW), 'entry', 'a JSON object');
  refuses(s, () => s.add('block_devices', JSON.parse('{"value":"d","reason":"r","__proto__":{}}'), 'k', NOW), '__proto__', 'reserved');
  // kind mismatch: an ip list holds IP addresses
  refuses(s, () => s.add('block_ips', { value: 'dev-2', reason: 'r' }, 'k', NOW), 'value', "an IPv4 or IPv6 address, because list 'block_ips' holds ip values");
  s.add('block_ips', { value: '2001:db8::1', reason: 'r' }, 'k', NOW);
  // unknown list: NotFoundError naming the lists there are
  const before = JSON.stringify(snapshot(s));
  assert.throws(() => s.add('stolen_devices', { value: 'd', reason: 'r' }, 'k', NOW), (e: unknown) => e instanceof NotFoundError && /stolen_devices.*block_devices/.test(e.message));
  assert.equal(JSON.stringify(snapshot(s)), before);
});

test('lists: created with a kind and purpose, names checked, duplicates and used lists refused', () => {
  const s = new ListSet();
  const info = s.createList({ name: 'risky_mccs', kind: 'string', purpose: 'watch', description: 'Gambling-adjacent MCCs' }, 'key_admin', NOW);
  assert.deepEqual(info, { name: 'risky_mccs', kind: 'string', purpose: 'watch', description: 'Gambling-adjacent MCCs', createdBy: 'key_admin', createdAt: NOW, builtin: false });
  s.add('risky_mccs', { value: '7995', reason: 'betting' }, 'key_admin', NOW);
  assert.equal(s.has('risky_mccs', '7995', NOW), true);
  assert.throws(() => s.createList({ name: 'risky_mccs', kind: 'string', purpose: 'watch' }, 'k', NOW), ConflictError);
  refuses(s, () => s.createList({ name: 'Risky MCCs', kind: 'string', purpose: 'watch' }, 'k', NOW), 'name', 'lowercase letters');
  refuses(s, () => s.createList({ name: 'x', kind: 'card', purpose: 'watch' }, 'k', NOW), 'kind', 'one of account, device, merchant, terminal, ip, string');
  refuses(s, () => s.createList({ name: 'x', kind: 'string', purpose: 'deny' }, 'k', NOW), 'purpose', 'one of block, allow, watch');
  assert.throws(() => s.deleteList('risky_mccs', ['risky_mccs', 'block_devices']), (e: unknown) => e instanceof ConflictError && /live policy/.test(e.message));
  assert.equal(s.deleteList('risky_mccs').name, 'risky_mccs');
  assert.equal(s.info('risky_mccs'), undefined);
  assert.equal(s.has('risky_mccs', '7995', NOW), false);
  assert.throws(() => s.deleteList('risky_mccs'), NotFoundError);
});

test('problems: a policy naming a missing list or checking the wrong kind of value', () => {
  const s = new ListSet();
  const uses = [
    { list: 'block_devices', feature: 'device', file: 'a.fk', line: 1 },
    { list: 'block_accounts', feature: 'device', file: 'a.fk', line: 2 },
    { list: 'stolen', feature: 'device', file: 'a.fk', line: 3 },
    { list: 'block_merchants', feature: 'terminal_merchant', file: 'a.fk', line: 4 },
  ];
  s.createList({ name: 'mccs', kind: 'string', purpose: 'watch' }, 'k', NOW);
  const problems = s.problems([...uses, { list: 'mccs', feature: 'mcc', file: 'a.fk', line: 5 }]);
  assert.deepEqual(problems, [
    "a.fk:2: list 'block_accounts' holds account values, but the rule looks up 'device'",
    "a.fk:3: list 'stolen' does not exist, so in_list() on it is never true",
  ]);
});

test('the manager without a store: the same checks, changes that return what they did', async () => {
  const s = new ListSet();
  let live: string[] = ['watch_mccs'];
  const m = new ListManager(s, null, () => live);
  const created = await m.createList({ name: 'watch_mccs', kind: 'string', purpose: 'watch' }, { actor: 'key_admin', now: NOW });
  assert.deepEqual([created.action, created.target, created.before], ['list.create', 'lists/watch_mccs', null]);
  const added = await m.addEntry('watch_mccs', { value: '7995', reason: 'betting' }, { actor: 'key_admin', now: NOW });
  assert.deepEqual([added.action, added.target, added.before, (added.after as ListEntry).value], ['list.entry.add', 'lists/watch_mccs/7995', null, '7995']);
  const replaced = await m.addEntry('watch_mccs', { value: '7995', reason: 'betting, again' }, { actor: 'key_other', now: NOW + 1 });
  assert.equal((replaced.before as ListEntry).reason, 'betting');
  await assert.rejects(() => m.deleteList('watch_mccs', { actor: 'key_admin' }), ConflictError);
  const removed = await m.removeEntry('watch_mccs', '7995', { actor: 'key_admin' });
  assert.deepEqual([removed.action, (removed.before as ListEntry).reason, removed.after], ['list.entry.remove', 'betting, again', null]);
  await assert.rejects(() => m.removeEntry('watch_mccs', '7995', { actor: 'key_admin' }), NotFoundError);
  await assert.rejects(() => m.addEntry('watch_mccs', { value: '1', reason: 'r' }, { actor: '' }), (e: unknown) => e instanceof ListError && e.path === 'actor');
  live = [];
  assert.equal((await m.deleteList('watch_mccs', { actor: 'key_admin' })).action, 'list.delete');
});

test('ListError has a code of its own', () => {
  const codes = Object.values(ErrorCode);
  assert.equal(new Set(codes).size, codes.length, 'error codes are unique');
  assert.equal(new ListError('value', 'x').code, 'FK3004');
});

test('has is O(1): a lookup in a list of 200,000 entries costs about what it costs in a list of 100', () => {
  const small = new ListSet();
  const large = new ListSet();
  for (let i = 0; i < 100; i++) small.putEntry('block_devices', { value: `dev-${i}`, reason: 'r', author: 'k', addedAt: NOW, expiresAt: null });
  for (let i = 0; i < 200_000; i++) large.putEntry('block_devices', { value: `dev-${i}`, reason: 'r', author: 'k', addedAt: NOW, expiresAt: null });
  // the probes: strings made once, half of them on the list, as payments' ids would be
  const probes = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? `dev-${(i * 7919) % 100}` : `other-${i}`));
  const time = (s: ListSet): number => {
    let best = Infinity;
    let hits = 0;
    for (let round = 0; round < 7; round++) {
      const t0 = performance.now();
      for (let k = 0; k < 200; k++) for (let i = 0; i < probes.length; i++) if (s.has('block_devices', probes[i], NOW)) hits++;
      best = Math.min(best, performance.now() - t0);
    }
    assert.ok(hits > 0);
    return best;
  };
  time(small);
  time(large); // warm both
  const ratio = time(large) / time(small);
  // a scan, or a tree, of 200,000 entries would be thousands of times slower; a hash map stays within cache effects
  assert.ok(ratio < 8, `large/small lookup time ratio ${ratio.toFixed(2)}`);
});
