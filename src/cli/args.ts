/**
 * A small, strict command-line parser: known flags only, values checked, unknown flags named in
 * the error together with the usage line, so a typo never silently changes what runs.
 */
import { UsageError } from '../errors.js';

/** A flag's kind: takes a string, takes an integer, or is a switch. */
export type FlagKind = 'string' | 'int' | 'switch';

/** Parsed arguments: positionals in order and flags by name (without the dashes). */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | number | boolean>;
}

/** Parses `args` against `spec`; throws UsageError quoting `usage` on anything unexpected. */
export function parseArgs(args: readonly string[], spec: Record<string, FlagKind>, usage: string): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | number | boolean>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}\nusage: ${usage}`);
    if (kind === 'switch') {
      flags.set(name, true);
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value\nusage: ${usage}`);
    if (kind === 'int') {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new UsageError(`--${name} must be a whole number ≥ 0, got "${value}"\nusage: ${usage}`);
      }
      flags.set(name, n);
    } else flags.set(name, value);
  }
  return { positionals, flags };
}
