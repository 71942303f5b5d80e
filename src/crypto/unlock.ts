/**
 * Opening the keyring of a store from its master key file: shared by the adapters so that a wrong
 * master key reads the same everywhere — a CryptoError naming the file and the flag to fix it.
 */
import { CryptoError } from '../errors.js';
import { Keyring, type WrappedKey } from './keyring.js';
import { MASTER_KEY_ENV } from './master-key.js';

/** The error of a master key file that does not unwrap the data keys of `whose`. */
export function wrongMasterKey(masterKeyFile: string, whose: string, cause: unknown): CryptoError {
  return new CryptoError(
    `the master key file ${masterKeyFile} is not the one the data keys of ${whose} were wrapped with: give the right one (--master-key-file or ${MASTER_KEY_ENV})`,
    { cause },
  );
}

/**
 * The keyring of `whose` (a data folder, a cluster's schema) from `master`, read from
 * `masterKeyFile`; a key that does not unwrap `wrapped` is wrongMasterKey.
 */
export function unlockKeyring(masterKeyFile: string, master: Buffer, wrapped: readonly WrappedKey[], whose: string, tokenScope?: string): Keyring {
  try {
    return new Keyring(master, wrapped, tokenScope);
  } catch (e) {
    throw wrongMasterKey(masterKeyFile, whose, e);
  }
}
