// Paths shared by tests: the project root and the read-only shared folder beside it.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Project root (tests run from dist/test/…). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** ../shared, present in CI too. */
export const SHARED = join(ROOT, '..', 'shared');
