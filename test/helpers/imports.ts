// Reading a source tree's imports for the architecture tests: which files, and which modules each names.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file under `dir`. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Every module specifier a file names: static and type imports, re-exports, dynamic imports, worker URLs. */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bnew\s+URL\s*\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]);
  return found;
}

/**
 * The specifiers a file loads when it is loaded: static imports and re-exports that are not
 * `import type` / `export type` (erased by the compiler), and side-effect imports. Dynamic
 * `import()` is left out: it loads only when the code runs it.
 */
export function loadedAtImport(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s)?[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm)) if (m[1] === undefined) found.push(m[2]);
  for (const m of text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.push(m[1]);
  return found;
}
