/**
 * `npm run bench`: the headline benchmarks one after the other, each in its own process with its
 * defaults (each prints its ratio against its floor or peer; see the file of each for its options).
 * usage: node dist/bench/run-all.js [--only name,name] [--list]
 * Takes tens of minutes on a 2-core machine; a failing benchmark is reported and the rest still run.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag } from './util.js';

/** The benchmarks `npm run bench` runs, in order, with the node flags each needs. */
const BENCHES: readonly { readonly name: string; readonly nodeFlags: readonly string[] }[] = [
  { name: 'rules-vs-json-rules-engine', nodeFlags: [] },
  { name: 'decide-latency', nodeFlags: [] },
  { name: 'engine-stalls', nodeFlags: ['--max-old-space-size=8000'] },
  { name: 'feature-memory', nodeFlags: ['--expose-gc'] },
  { name: 'replay-vs-floor', nodeFlags: [] },
  { name: 'case-intake', nodeFlags: [] },
  { name: 'server-vs-fastify', nodeFlags: [] },
  { name: 'answer-tail', nodeFlags: [] },
  { name: 'console-load', nodeFlags: [] },
  { name: 'console-queue', nodeFlags: [] },
  { name: 'overview-cost', nodeFlags: [] },
];

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write('usage: node dist/bench/run-all.js [--only name,name] [--list]\n');
  process.exit(0);
}
if (args.includes('--list')) {
  for (const b of BENCHES) process.stdout.write(`${b.name}\n`);
  process.exit(0);
}
const only = flag('only')?.split(',').map((s) => s.trim());
const unknown = (only ?? []).filter((n) => !BENCHES.some((b) => b.name === n));
if (unknown.length > 0) {
  process.stderr.write(`run-all: no benchmark named ${unknown.join(', ')}; --list names them\n`);
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const failed: string[] = [];
for (const b of BENCHES) {
  if (only !== undefined && !only.includes(b.name)) continue;
  process.stdout.write(`\n=== ${b.name}\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [...b.nodeFlags, join(here, `${b.name}.js`)], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(b.name);
  process.stdout.write(`=== ${b.name}: ${r.status === 0 ? 'done' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
if (failed.length > 0) {
  process.stderr.write(`run-all: ${failed.length} benchmark(s) failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
