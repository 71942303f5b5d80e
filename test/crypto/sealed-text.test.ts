import assert from 'node:assert/strict';
import { createHmac, hkdfSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { encodeSealedText, isSealedText, Keyring, namedKeyId, SEALED_MARK, sealedTextBytes, tokenText, unlockKeyring } from '../../src/crypto/index.js';
import { CryptoError } from '../../src/errors.js';

const master = Buffer.alloc(32, 9);

describe('crypto: sealed text shared by the adapters', () => {
  it('encodes marker + base64 of the sealed bytes, naming its key', () => {
    const ring = new Keyring(master);
    ring.rotate();
    const s = encodeSealedText(ring, 'hello');
    assert.ok(s.startsWith(SEALED_MARK) && isSealedText(s));
    assert.ok(!isSealedText('{"clear":1}'));
    const bytes = sealedTextBytes(s);
    assert.equal(s, SEALED_MARK + bytes.toString('base64'));
    assert.equal(namedKeyId(bytes), 1);
    assert.equal(namedKeyId(Buffer.alloc(3)), null);
    assert.equal(ring.open(bytes).toString('utf8'), 'hello');
  });

  it('an unscoped token is the data folder token it always was; a scope gives other tokens', () => {
    const key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'fengkong token v1', 32));
    const expected = createHmac('sha256', key).update('device').update('\u0000').update('dev-1').digest('hex');
    assert.equal(tokenText(new Keyring(master), 'device', 'dev-1'), `t:${expected}`);
    const a = new Keyring(master, [], 'a').token('device', 'dev-1');
    assert.equal(a, new Keyring(master, [], 'a').token('device', 'dev-1'));
    assert.notEqual(a, expected);
    assert.notEqual(a, new Keyring(master, [], 'b').token('device', 'dev-1'));
  });

  it('unlockKeyring names the master key file when it is the wrong one', () => {
    const w = new Keyring(master).rotate();
    assert.throws(() => unlockKeyring('/keys/other.key', Buffer.alloc(32, 1), [w], 'schema fk_x'), (e: unknown) =>
      e instanceof CryptoError && e.message.includes('/keys/other.key') && e.message.includes('fk_x'));
  });
});
