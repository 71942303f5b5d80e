/**
 * An account's device memory: one device kept inline, more in arrays, the oldest forgotten past
 * MAX_DEVICES, first-seen times kept earliest, and a snapshot that restores each shape exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountState, MAX_DEVICES } from '../../src/features/account-state.js';
import { SnapshotReader, SnapshotWriter } from '../../src/codec/codec.js';

function encode(accounts: Iterable<AccountState>): Buffer {
  const w = new SnapshotWriter();
  AccountState.writeSnapshot(new Map([...accounts].map((a) => [a.id, a])), w);
  return Buffer.concat(w.finish().parts);
}

function roundTrip(accounts: AccountState[]): Map<string, AccountState> {
  return AccountState.readSnapshot(new SnapshotReader(encode(accounts)));
}

test('devices: none, one, two, then the oldest forgotten at MAX_DEVICES; first-seen keeps the earliest', () => {
  const a = new AccountState('A');
  assert.equal(a.deviceCount(), 0);
  assert.equal(a.deviceIndex('d0'), -1);
  assert.ok(Number.isNaN(a.deviceSince('d0')));

  assert.equal(a.rememberDevice('d0', 1000), true);
  assert.equal(a.rememberDevice('d0', 2000), false);
  assert.equal(a.rememberDevice('d0', 500), false); // a late event: seen earlier than thought
  assert.deepEqual(a.deviceList(), [{ deviceId: 'd0', firstSeen: 500 }]);
  assert.equal(a.deviceIndex('d0'), 0);
  assert.equal(a.deviceIndex('d1'), -1);

  assert.equal(a.rememberDevice('d1', 3000), true);
  assert.deepEqual(a.deviceList(), [{ deviceId: 'd0', firstSeen: 500 }, { deviceId: 'd1', firstSeen: 3000 }]);
  assert.equal(a.deviceSince('d0'), 500);
  assert.equal(a.rememberDevice('d0', 100), false);
  assert.equal(a.deviceSince('d0'), 100);

  for (let i = 2; i <= MAX_DEVICES; i++) assert.equal(a.rememberDevice(`d${i}`, 3000 + i), true);
  assert.equal(a.deviceCount(), MAX_DEVICES);
  assert.equal(a.deviceAt(0), 'd1'); // d0 forgotten
  assert.equal(a.deviceIndex('d0'), -1);
  assert.equal(a.deviceAt(MAX_DEVICES - 1), `d${MAX_DEVICES}`);
  assert.equal(a.deviceFirstSeenAt(MAX_DEVICES - 1), 3000 + MAX_DEVICES);
});

test('devices in a snapshot: each shape comes back as it was, and writes the same bytes again', () => {
  const none = new AccountState('none');
  const one = new AccountState('one');
  one.rememberDevice('p1', 42);
  const many = new AccountState('many');
  for (let i = 0; i < 20; i++) many.rememberDevice(`m${i % 18}`, 100 + i);
  const back = roundTrip([none, one, many]);
  for (const a of [none, one, many]) assert.deepEqual(back.get(a.id)!.deviceList(), a.deviceList(), a.id);
  assert.equal(back.get('one')!.deviceSince('p1'), 42);
  assert.ok(encode(back.values()).equals(encode([none, one, many])));
  back.get('one')!.rememberDevice('p2', 50); // the restored single device turns into arrays like a live one
  assert.deepEqual(back.get('one')!.deviceList(), [{ deviceId: 'p1', firstSeen: 42 }, { deviceId: 'p2', firstSeen: 50 }]);
});
