/**
 * Where policies come from: the default pack shipped in the package's rules/ folder, or a folder
 * the user names. Resolved against the package, not the working directory, so `npx fengkong` works
 * from anywhere.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTINS } from '../features/catalog.js';
import { loadPolicyDir } from '../rules/load.js';
import type { PolicyBuild } from '../rules/compile.js';

/** The package root (dist/src/engine → ../../..). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The default policy pack. */
export const DEFAULT_POLICY_DIR = join(PACKAGE_ROOT, 'rules');

/** Compiles the policy in `dir` (default pack when omitted) against the builtin catalog. */
export function loadPolicy(dir?: string): PolicyBuild {
  const d = dir ?? DEFAULT_POLICY_DIR;
  return loadPolicyDir(d, BUILTINS, dir === undefined ? 'default' : undefined);
}
