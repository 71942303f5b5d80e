// Issue 11's rule for the domain: each area defines the ports it needs and never names an adapter,
// so a PostgreSQL adapter plugs in at the composition root (server, cli) without touching it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/paths.js';

const DOMAIN = ['accounts', 'audit', 'cases', 'detectors', 'lists', 'merchants', 'policy', 'report'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('no domain file names the SQLite adapter or its driver', () => {
  const offenders: string[] = [];
  for (const area of DOMAIN) {
    for (const f of files(join(ROOT, 'src', area))) {
      const text = readFileSync(f, 'utf8');
      if (/store\/sqlite|better-sqlite3/.test(text)) offenders.push(relative(ROOT, f));
    }
  }
  assert.deepEqual(offenders, []);
});

test('src/store holds adapters only (and the journal port until it moves to src/log)', () => {
  assert.deepEqual(readdirSync(join(ROOT, 'src', 'store')).filter((f) => f !== 'sqlite' && f !== 'journal.ts'), []);
});
