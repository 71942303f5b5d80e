import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Keyring, loadOrCreateMasterKey, newDataKey, openWith, readMasterKey, sealWith, wrapDataKey } from '../../src/crypto/index.js';
import { CryptoError, ErrorCode } from '../../src/errors.js';

const master = Buffer.alloc(32, 7);

describe('crypto: seal and open', () => {
  it('round-trips and never repeats a sealed value', () => {
    const dk = newDataKey(3);
    const a = sealWith(dk, 'dev-SECRET-7f3a');
    const b = sealWith(dk, 'dev-SECRET-7f3a');
    assert.notDeepEqual(a, b);
    assert.equal(a[0], 1);
    assert.equal(a.readUInt32BE(1), 3);
    assert.equal(a.length, 1 + 4 + 12 + 15 + 16);
    assert.equal(openWith(dk, a).toString('utf8'), 'dev-SECRET-7f3a');
    assert.ok(!a.includes(Buffer.from('SECRET')));
  });

  it('a changed byte, a truncation or another key is FK5007', () => {
    const dk = newDataKey(1);
    const s = sealWith(dk, 'hello world');
    // flip the byte (filling it with 0 left it unchanged when it already was 0: one run in 256)
    const changed = Buffer.from(s);
    changed[20] ^= 0xff;
    for (const bad of [changed, s.subarray(0, s.length - 1), s.subarray(0, 10)]) {
      assert.throws(() => openWith(dk, bad), (e: unknown) => e instanceof CryptoError && e.code === ErrorCode.Crypto);
    }
    assert.throws(() => openWith({ id: 1, key: Buffer.alloc(32) }, s), CryptoError);
  });
});

describe('crypto: keyring', () => {
  it('opens values of older keys after a rotation; tokens are stable', () => {
    const ring = new Keyring(master);
    const w1 = ring.rotate();
    const old = ring.seal('x');
    const t = ring.token('device', 'dev-1');
    const w2 = ring.rotate();
    assert.equal(ring.activeId, 2);
    assert.equal(ring.seal('y').readUInt32BE(1), 2);
    const again = new Keyring(master, [w1, w2]);
    assert.equal(again.open(old).toString(), 'x');
    assert.equal(again.token('device', 'dev-1'), t);
    assert.notEqual(again.token('ip', 'dev-1'), t);
  });

  it('a wrong master key fails to unwrap', () => {
    const w = wrapDataKey(master, newDataKey(1));
    assert.throws(() => new Keyring(Buffer.alloc(32, 8), [w]), CryptoError);
  });

  it('a new master key file is 0600; a malformed one is refused naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fk-mk-'));
    const f = join(dir, 'sub', 'master.key');
    const { key, created } = loadOrCreateMasterKey(f, true);
    assert.equal(created, true);
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.deepEqual(readMasterKey(f), key);
    assert.equal(loadOrCreateMasterKey(f, true).created, false);
    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'nope');
    assert.throws(() => readMasterKey(bad), (e: unknown) => e instanceof CryptoError && e.message.includes(bad));
    assert.throws(() => readMasterKey(join(dir, 'missing.key')), /missing\.key/);
  });
});
