// The embedded default loads none of the scale-out clients (docs/scale-out.md, DESIGN's "Embedded
// mode must not load pg, ioredis or nats"): from each CLI command's module (main.ts loads the one
// asked for) and the server, every import that loads with them —
// static value imports, re-exports, side-effect imports and worker entries — is followed through
// src/, and no path may reach pg, ioredis or the NATS clients. Those adapters may only be reached
// through a dynamic import() taken when a scale-out flag is given.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadedAtImport } from '../helpers/imports.js';
import { ROOT } from '../helpers/paths.js';

const SRC = join(ROOT, 'src');
const SCALE_OUT_PACKAGES = ['pg', 'ioredis', '@nats-io/transport-node', '@nats-io/nats-core', '@nats-io/jetstream', '@nats-io/kv'];

/** What loads with a module: its loading imports (helpers/imports.ts) and the worker entries it starts. */
function loadedSpecifiers(text: string): string[] {
  const workers = [...text.matchAll(/\bnew\s+URL\s*\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g)].map((m) => m[1]);
  return [...loadedAtImport(text), ...workers];
}

/** The package a bare specifier names (`@scope/name` or `name`). */
function packageOf(spec: string): string {
  return spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
}

/**
 * Walks the loaded imports from `entry` (a .ts file under src/); returns, for every package reached,
 * one chain of files that reaches it.
 */
export function packagesReached(entry: string): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const seen = new Set<string>([entry]);
  const queue: { file: string; chain: string[] }[] = [{ file: entry, chain: [relative(ROOT, entry)] }];
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!;
    for (const spec of loadedSpecifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        const pkg = packageOf(spec);
        if (!reached.has(pkg)) reached.set(pkg, chain);
        continue;
      }
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (!existsSync(target) || seen.has(target)) continue;
      seen.add(target);
      queue.push({ file: target, chain: [...chain, relative(ROOT, target)] });
    }
  }
  return reached;
}

describe('the embedded default', () => {
  it('the walk finds the packages an adapter loads (SQLite from its store)', () => {
    assert.ok(packagesReached(join(SRC, 'store', 'sqlite', 'sqlite-store.ts')).has('better-sqlite3'));
  });

  it('loads no scale-out client from any CLI command or the server', () => {
    const entries = [
      ...readdirSync(join(SRC, 'cli')).filter((f) => f.endsWith('.ts')).map((f) => join(SRC, 'cli', f)),
      join(SRC, 'server', 'server.ts'),
    ];
    const bad: string[] = [];
    let sqlite = false;
    for (const entry of entries) {
      const reached = packagesReached(entry);
      sqlite ||= reached.has('better-sqlite3');
      for (const p of SCALE_OUT_PACKAGES) if (reached.has(p)) bad.push(`${p} via ${reached.get(p)!.join(' -> ')}`);
    }
    assert.deepEqual(bad, [], `the embedded default loads scale-out clients:\n${bad.join('\n')}`);
    assert.ok(sqlite, 'the walk reached the embedded store');
  });
});
