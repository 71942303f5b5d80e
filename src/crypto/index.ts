/** Encryption at rest: sealing with data keys, the keyring, the master key file (see docs/security.md). */
export { SEAL_FORMAT, openWith, sealWith, sealedKeyId, type DataKey } from './seal.js';
export { KEY_BYTES, Keyring, newDataKey, unwrapDataKey, wrapDataKey, type WrappedKey } from './keyring.js';
export { DEFAULT_MASTER_KEY_FILE, MASTER_KEY_ENV, loadOrCreateMasterKey, newMasterKeyNotice, readMasterKey } from './master-key.js';
export { SEALED_MARK, encodeSealedText, isSealedText, namedKeyId, sealedTextBytes, tokenText } from './sealed-text.js';
export { unlockKeyring, wrongMasterKey } from './unlock.js';
