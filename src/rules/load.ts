/**
 * Reads a policy folder from disk. Kept apart from the compiler so the compiler stays pure (text in,
 * policy out) and testable without files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { BuiltinCatalog } from '../features/vector.js';
import { compilePolicy, type PolicyBuild, type PolicySource } from './compile.js';

/** The `*.fk` files of a folder, sorted by name so the declaration order is the same on every machine. */
export function readPolicyDir(dir: string): PolicySource[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new ConfigError(`policy path ${dir} is not a folder`);
    names = readdirSync(dir);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`policy folder ${dir} not found or unreadable`, { cause: e });
  }
  const files = names.filter((n) => n.endsWith('.fk')).sort();
  if (files.length === 0) throw new ConfigError(`policy folder ${dir} holds no *.fk files`);
  return files.map((n) => {
    const file = join(dir, n);
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch (e) {
      throw new ConfigError(`cannot read policy file ${file}`, { cause: e });
    }
  });
}

/** Reads and compiles every `*.fk` file of `dir`; the policy is named after the folder unless `name` is given. */
export function loadPolicyDir(dir: string, builtins: BuiltinCatalog, name?: string): PolicyBuild {
  return compilePolicy(readPolicyDir(dir), builtins, name ?? basename(resolve(dir)));
}
