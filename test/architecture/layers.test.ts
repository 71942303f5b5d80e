// The layering of issue 11, enforced: every import under src/ is parsed and checked against the
// layer of the folder it comes from and the one it goes to (docs/architecture.md says why).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { specifiers, tsFiles } from '../helpers/imports.js';
import { ROOT } from '../helpers/paths.js';

const SRC = join(ROOT, 'src');

/** Each top-level folder (or file) of src/ and its layer; a layer imports only from layers at or below it. */
const LAYERS: Readonly<Record<string, number>> = {
  contract: 1, errors: 1, codec: 1, io: 1, crypto: 1,
  features: 2, rules: 2, model: 2, eval: 2,
  engine: 3,
  log: 4,
  accounts: 5, merchants: 5, cases: 5, detectors: 5, policy: 5, report: 5, lists: 5, audit: 5, keys: 5, webhooks: 5, alerts: 5, automation: 5, notices: 5, complaints: 5, schedules: 5,
  store: 6,
  server: 7, cli: 7, wiring: 7, iso8583: 7,
  // imported only by the interfaces (the `simulate` command); its own imports are checked apart
  sim: 7,
};
const LAYER_NAMES = ['', 'bottom', 'pure', 'engine', 'log', 'domain', 'adapters', 'interfaces'];

/** Packages that tie code to an adapter: only adapters and the composition root may load them. */
const ADAPTER_PACKAGES = ['better-sqlite3', 'pg', 'ioredis', 'redis', 'nats', '@nats-io/transport-node', '@nats-io/nats-core', '@nats-io/jetstream', '@nats-io/kv'];

/** The simulator writes the contract and imports nothing else of the project. */
const SIM_MAY_IMPORT = ['sim', 'contract'];

/** The top folder of a path under src/ ('errors' for src/errors.ts). */
function topOf(abs: string): string {
  return relative(SRC, abs).split(sep)[0].replace(/\.(ts|js)$/, '');
}

/** Every import that breaks the layering, as "file -> target (why)". */
function violations(): string[] {
  const bad: string[] = [];
  for (const file of tsFiles(SRC)) {
    const from = topOf(file);
    const rel = relative(ROOT, file);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (ADAPTER_PACKAGES.includes(pkg) && (LAYERS[from] ?? 0) < 6) bad.push(`${rel} -> ${spec} (an adapter's package in layer ${LAYER_NAMES[LAYERS[from] ?? 0] || from})`);
        continue;
      }
      const target = resolve(dirname(file), spec);
      if (relative(SRC, target).startsWith('..')) {
        bad.push(`${rel} -> ${spec} (outside src/)`);
        continue;
      }
      const to = topOf(target);
      if (from === 'sim') {
        if (!SIM_MAY_IMPORT.includes(to)) bad.push(`${rel} -> ${spec} (sim imports only the contract)`);
        continue;
      }
      const lf = LAYERS[from];
      const lt = LAYERS[to];
      if (lf === undefined) bad.push(`${rel}: src/${from} has no layer (add it to LAYERS and docs/architecture.md)`);
      else if (lt === undefined) bad.push(`${rel} -> ${spec}: src/${to} has no layer`);
      else if (lt > lf) bad.push(`${rel} -> ${spec} (${LAYER_NAMES[lf]} ${lf} imports ${LAYER_NAMES[lt]} ${lt})`);
    }
  }
  return [...new Set(bad)];
}

describe('layering', () => {
  it('finds the imports it must check (static, type, dynamic, worker URLs)', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "import './side-effect.js';",
      "const m = await import('../d.js');",
      "new Worker(new URL('./w.js', import.meta.url));",
      "const s = 'import x from \\'./not-at-line-start.js\\'';",
    ].join('\n');
    assert.deepEqual(specifiers(text).sort(), ['../b/b.js', '../d.js', './a.js', './c.js', './side-effect.js', './w.js']);
  });

  it('every import under src/ goes to the same layer or one below', () => {
    const bad = violations();
    assert.deepEqual(bad, [], `${bad.length} imports break the layering:\n${bad.join('\n')}`);
  });
});
