#!/usr/bin/env node
// Thin launcher: the CLI is compiled from TypeScript into dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('fengkong: not built yet. Run `npm install` (or `npm run build`) in ' + root + ' first.\n');
  process.exit(2);
}
// A closed pipe (`fengkong features | head`) is the reader's choice, not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
