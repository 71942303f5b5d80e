/**
 * `fengkong check` compiles a policy and prints its rules (or every diagnostic, with file, line and
 * column); `fengkong features` lists the builtin features a rule can name.
 */
import { BUILTINS } from '../features/catalog.js';
import { loadPolicy } from '../engine/policy-source.js';
import { PolicyCompileError } from '../errors.js';
import { parseArgs } from './args.js';

/** Compiles the policy; exit 0 when it compiles, 1 with diagnostics when it does not. */
export async function runCheck(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, { policy: 'string' }, 'fengkong check [--policy DIR]');
  try {
    const p = loadPolicy(flags.get('policy') as string | undefined);
    process.stdout.write(
      `policy ${p.name}: ${p.rules.length} rules, ${p.windows.length} windows, ${p.derived.length} derived features; ` +
        `thresholds review ${p.thresholds.review}, challenge ${p.thresholds.challenge}, decline ${p.thresholds.decline}\n`,
    );
    for (const d of p.warnings) {
      process.stderr.write(`${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}\n`);
    }
    for (const r of p.rules) {
      const what = [r.outcome ?? '', r.points ? `${r.points > 0 ? '+' : ''}${r.points}` : ''].filter(Boolean).join(' ');
      process.stdout.write(`  ${r.reason.padEnd(36)} ${what.padEnd(14)} ${r.description}\n`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof PolicyCompileError)) throw e;
    for (const d of e.diagnostics) {
      process.stderr.write(`${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}\n`);
    }
    return 1;
  }
}

/** Prints every builtin feature with its type and meaning. */
export async function runFeatures(): Promise<number> {
  for (const f of BUILTINS.features) {
    process.stdout.write(`${f.name.padEnd(28)} ${f.type.padEnd(8)} ${f.description}\n`);
  }
  return 0;
}
