/**
 * `fengkong docs routes [--write FILE]`: the route × role table (who may call what) generated from the
 * routes a server declares. It starts a server on a throwaway data folder (no port in use: 127.0.0.1,
 * port 0), reads its routes and stops it, so the table is exactly what a real server checks. Without
 * `--write` it prints the table; with it, it rewrites the table between the markers of FILE
 * (docs/security.md), which test/server/access.test.ts holds to the same output.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { RouteAccess } from '../server/routes.js';
import { replaceTable, routeTable } from '../server/route-table.js';
import { startServer } from '../server/server.js';
import { parseArgs } from './args.js';

const USAGE = 'fengkong docs routes [--write docs/security.md]';

/** Every route a server declares, read from a throwaway server. */
export async function declaredRoutes(): Promise<readonly RouteAccess[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-docs-'));
  try {
    const s = await startServer({ dataDir: dir, port: 0, snapshots: false, journal: 'inline' });
    await s.close();
    return s.routes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `docs <subcommand>`; resolves to the exit code. */
export async function runDocs(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, { write: 'string' }, USAGE);
  if (positionals.length !== 1 || positionals[0] !== 'routes') throw new UsageError(`expected "docs routes"\nusage: ${USAGE}`);
  const table = routeTable(await declaredRoutes());
  const file = flags.get('write') as string | undefined;
  if (file === undefined) {
    process.stdout.write(`${table}\n`);
    return 0;
  }
  const path = resolve(file);
  const next = replaceTable(readFileSync(path, 'utf8'), table);
  if (next === null) throw new UsageError(`${file} has no route table markers; add a line "<!-- routes:begin … -->" and one "<!-- routes:end -->"`);
  writeFileSync(path, next);
  process.stderr.write(`fengkong docs: wrote the route table to ${file}\n`);
  return 0;
}
