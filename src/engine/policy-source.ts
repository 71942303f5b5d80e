/**
 * Where policies come from: the default pack shipped in the package's rules/ folder, or a folder
 * the user names. Resolved against the package, not the working directory, so `npx fengkong` works
 * from anywhere.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTINS } from '../features/catalog.js';
import { loadPolicyDir, readPolicyDir } from '../rules/load.js';
import { compilePolicy, type PolicyBuild } from '../rules/compile.js';
import type { ModelFeatures } from '../model/gbdt-model.js';

/** The package root (dist/src/engine → ../../..). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The default policy pack. */
export const DEFAULT_POLICY_DIR = join(PACKAGE_ROOT, 'rules');

/** Compiles the policy in `dir` (default pack when omitted) against the builtin catalog. */
export function loadPolicy(dir?: string): PolicyBuild {
  const d = dir ?? DEFAULT_POLICY_DIR;
  return loadPolicyDir(d, BUILTINS, dir === undefined ? 'default' : undefined);
}

/**
 * The policy in `dir` (default pack when omitted) with the files of generated features a model or a
 * training run needs (`train --features auto`) compiled in beside its own.
 */
export function loadPolicyWith(dir: string | undefined, extra: readonly ModelFeatures[]): PolicyBuild {
  if (extra.length === 0) return loadPolicy(dir);
  const d = dir ?? DEFAULT_POLICY_DIR;
  const files = [...readPolicyDir(d), ...extra.map((f) => ({ file: f.file, text: f.text }))];
  return compilePolicy(files, BUILTINS, dir === undefined ? 'default' : basename(resolve(d)));
}
