// The embedded default never loads a scale-out client (docs/scale-out.md): `pg` is imported only in
// src/store/postgres/, `ioredis` only in src/store/redis/, the NATS clients only in src/store/nats/, and those adapters are loaded only by a
// dynamic import() when the scale-out flags ask for them (a type-only import is erased, so allowed).
// The cluster composition, src/wiring/cluster/, joins the adapters (the projector reads NATS and
// writes PostgreSQL), so it may import them statically — and is itself loaded only by import() from
// outside its folder, which keeps the adapters out of the embedded default all the same.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { loadedAtImport, specifiers, tsFiles } from '../helpers/imports.js';
import { ROOT } from '../helpers/paths.js';

const SRC = join(ROOT, 'src');

/** Each scale-out client package and the one adapter folder (under src/) that may import it. */
const HOME: Readonly<Record<string, string>> = { pg: 'store/postgres', ioredis: 'store/redis', '@nats-io': 'store/nats' };

/** The scale-out composition: may load the adapter folders statically, and is loaded only dynamically itself. */
const COMPOSITION = 'wiring/cluster';

function within(rel: string, folder: string): boolean {
  return rel === folder || rel.startsWith(`${folder}/`);
}

function violations(): string[] {
  const bad: string[] = [];
  for (const file of tsFiles(SRC)) {
    const rel = relative(SRC, file).split(sep).join('/');
    const text = readFileSync(file, 'utf8');
    for (const spec of specifiers(text)) {
      const home = HOME[spec.split('/')[0]];
      if (home !== undefined && !within(rel, home)) bad.push(`src/${rel} -> ${spec} (only src/${home}/ may import it)`);
    }
    for (const spec of loadedAtImport(text)) {
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(file), spec)).split(sep).join('/');
      for (const home of Object.values(HOME)) {
        if (within(target, home) && !within(rel, home) && !within(rel, COMPOSITION)) bad.push(`src/${rel} -> ${spec} (a static import of src/${home}/ loads its client in the embedded default: use import())`);
      }
      if (within(target, COMPOSITION) && !within(rel, COMPOSITION)) bad.push(`src/${rel} -> ${spec} (a static import of src/${COMPOSITION}/ loads the scale-out clients in the embedded default: use import())`);
    }
  }
  return bad;
}

describe('scale-out clients stay out of the embedded default', () => {
  it('tells loading imports from type-only and dynamic ones', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "export type { C } from './c.js';",
      "export { d } from './d.js';",
      "import './e.js';",
      "const f = await import('./f.js');",
    ].join('\n');
    assert.deepEqual(loadedAtImport(text).sort(), ['./a.js', './d.js', './e.js']);
  });

  it('pg, ioredis and the NATS clients only in their adapter folders, which are loaded only dynamically from outside (or statically by src/wiring/cluster/, itself loaded only dynamically)', () => {
    const bad = violations();
    assert.deepEqual(bad, [], bad.join('\n'));
  });
});
