// The contract every KeyStore adapter passes: API keys kept as hashes with their role and label,
// revocation that is final, and key ids and hash prefixes that name exactly one key. Every port call
// is awaited (a value satisfies await), so the same suite runs against an adapter that answers later.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, NotFoundError } from '../../../src/errors.js';
import type { KeyStore } from '../../../src/keys/store.js';
import { anotherOf, contractIt, type Open } from './harness.js';

const hash = (c: string): string => c.repeat(64).slice(0, 64);

/** Registers the KeyStore suite for one adapter. */
export function keysContract(name: string, open: Open<KeyStore>): void {
  describe(`KeyStore contract: ${name}`, () => {
    contractIt(open, 'stores a hash with its role and label, once', async (_h, s) => {
      assert.deepEqual(await s.listKeys(), []);
      const before = Date.now();
      const k = await s.createKey(hash('a'), 'analyst', 'desk-1');
      assert.deepEqual([k.hash, k.role, k.name], [hash('a'), 'analyst', 'desk-1']);
      assert.ok(k.createdAt >= before - 1000 && k.createdAt <= Date.now() + 1000);
      assert.deepEqual(await s.findKey(hash('a')), k);
      const plain = await s.createKey(hash('b'), 'decide');
      assert.equal('name' in plain, false, 'no label: no name field');
      await assert.rejects(async () => s.createKey(hash('a'), 'admin'));
      assert.equal((await s.findKey(hash('a')))?.role, 'analyst', 'a refused duplicate changes nothing');
      assert.equal(await s.findKey(hash('c')), undefined);
    });

    contractIt(open, 'lists every key, oldest first, revoked ones too', async (_h, s) => {
      await s.createKey(hash('1'), 'admin');
      await new Promise((r) => setTimeout(r, 5));
      await s.createKey(hash('2'), 'support');
      await s.revokeKey(`key_${hash('1').slice(0, 12)}`, 'cli:ops');
      const keys = await s.listKeys();
      assert.deepEqual(keys.map((k) => k.hash), [hash('1'), hash('2')]);
      assert.equal(keys[0].revokedBy, 'cli:ops');
      assert.equal(keys[1].revokedAt, undefined);
    });

    contractIt(open, 'revokes by key id or hash prefix; a revoked key is never found again', async (_h, s) => {
      await s.createKey(hash('d'), 'decide');
      await s.createKey(hash('e'), 'analyst');
      const r = await s.revokeKey(`key_${hash('d').slice(0, 12)}`, 'key_admin1', 'leaked');
      assert.deepEqual([r.hash, r.revokedBy, r.revokeReason, typeof r.revokedAt], [hash('d'), 'key_admin1', 'leaked', 'number']);
      assert.equal(await s.findKey(hash('d')), undefined);
      assert.equal((await s.revokeKey(hash('e').slice(0, 20), 'cli:x')).revokeReason, undefined);
      assert.equal(await s.findKey(hash('e')), undefined);
      await assert.rejects(async () => s.revokeKey(hash('d').slice(0, 12), 'x'), ConflictError, 'already revoked');
    });

    contractIt(open, 'an unknown, malformed or too short name is NotFound; an ambiguous prefix a Conflict', async (_h, s) => {
      await s.createKey('abcdef012345' + '0'.repeat(52), 'analyst');
      await s.createKey('abcdef012345' + '1'.repeat(52), 'analyst');
      await assert.rejects(async () => s.revokeKey('key_000000000000', 'x'), NotFoundError);
      await assert.rejects(async () => s.revokeKey('key_zz', 'x'), NotFoundError);
      await assert.rejects(async () => s.revokeKey('abcdef01', 'x'), NotFoundError, 'fewer than 12 hex digits');
      await assert.rejects(async () => s.revokeKey('key_abcdef012345', 'x'), ConflictError);
      assert.equal((await s.revokeKey('abcdef0123451', 'x')).hash, 'abcdef012345' + '1'.repeat(52));
      assert.equal((await s.findKey('abcdef012345' + '0'.repeat(52)))?.role, 'analyst', 'the other key still works');
    });

    contractIt(open, 'counts the revocations made through this handle only', async (h, s) => {
      const other = await anotherOf(h);
      await s.createKey(hash('f'), 'admin');
      await s.createKey(hash('9'), 'admin');
      assert.equal(await s.revocations(), 0);
      await s.revokeKey(hash('f').slice(0, 12), 'x');
      assert.equal(await s.revocations(), 1);
      await other.revokeKey(hash('9').slice(0, 12), 'y');
      assert.equal(await s.revocations(), 1, 'another handle\'s revocation is not counted here');
      assert.equal(await s.findKey(hash('9')), undefined, 'but it is seen');
      assert.equal(await other.revocations(), 1);
    });

    contractIt(open, 'a key carries a rate limit: set at creation, changed or lifted by id, counted as a change', async (_h, s) => {
      const limited = await s.createKey(hash('3'), 'decide', { name: 'switch-1', rate: 500 });
      assert.deepEqual([limited.name, limited.rate], ['switch-1', 500]);
      assert.equal((await s.findKey(hash('3')))?.rate, 500);
      const plain = await s.createKey(hash('4'), 'ingest');
      assert.equal('rate' in plain, false, 'no rate: unlimited, no field');
      assert.equal((await s.createKey(hash('5'), 'metrics', { rate: 0.5 })).rate, 0.5);
      const c0 = await s.changes();
      assert.equal((await s.setKeyRate(`key_${hash('3').slice(0, 12)}`, 200)).rate, 200);
      assert.equal((await s.findKey(hash('3')))?.rate, 200);
      assert.equal(await s.changes(), c0 + 1);
      const lifted = await s.setKeyRate(hash('3').slice(0, 16), null);
      assert.equal('rate' in lifted, false);
      assert.equal((await s.findKey(hash('3')))?.rate, undefined);
      assert.equal((await s.findKey(hash('3')))?.name, 'switch-1', 'the rest of the key unchanged');
      await assert.rejects(async () => s.setKeyRate('key_000000000000', 5), NotFoundError);
      await s.revokeKey(hash('4').slice(0, 12), 'x');
      assert.equal(await s.changes(), c0 + 3, 'a revocation is a change too');
      await assert.rejects(async () => s.setKeyRate(hash('4').slice(0, 12), 5), ConflictError, 'a revoked key keeps its rate');
    });

    contractIt(open, 'keys and revocations survive a reopen', async (h, s) => {
      await s.createKey(hash('7'), 'support', 'cs-team');
      await s.createKey(hash('6'), 'decide', { rate: 42 });
      await s.createKey(hash('8'), 'admin');
      await s.revokeKey(hash('8').slice(0, 12), 'cli:ops', 'rotated');
      const again = await h.reopen();
      assert.deepEqual((await again.findKey(hash('7')))?.name, 'cs-team');
      assert.equal((await again.findKey(hash('6')))?.rate, 42);
      assert.equal(await again.findKey(hash('8')), undefined);
      assert.equal((await again.listKeys()).find((k) => k.hash === hash('8'))?.revokeReason, 'rotated');
      assert.equal(await again.revocations(), 0, 'a new handle has revoked nothing yet');
    });
  });
}
