/**
 * The command line of every subcommand, tokenised by Node's own `parseArgs` (strict, positionals
 * allowed) so `--flag=value`, `--` and `-` behave as in any other Node tool. This wrapper keeps the
 * call sites to one line and adds what Node leaves to us: integer flags checked, refusals worded for
 * a user (the flag named, the usage line quoted) and `--help` / `-h` on every command.
 */
import { parseArgs as parseNodeArgs } from 'node:util';
import { UsageError } from '../errors.js';

/** A flag's kind, so each call site states what it accepts and gets values it need not re-check. */
export type FlagKind = 'string' | 'int' | 'switch';

/** Positionals in order and flags by name (no dashes): the shape every subcommand already reads. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | number | boolean>;
}

/**
 * The user asked for `--help` or `-h`: not a mistake, so it is not a UsageError. The CLI prints the
 * usage on stdout and exits 0, so `fengkong <command> --help | less` works.
 */
export class HelpRequested extends Error {
  readonly usage: string;
  constructor(usage: string) {
    super('help requested');
    this.name = 'HelpRequested';
    this.usage = usage;
  }
}

type NodeOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * Parses `args` against `spec`. Throws UsageError quoting `usage` on anything unexpected, so a typo
 * never silently changes what runs, and HelpRequested on `--help` / `-h` unless `spec` has its own
 * `help` switch (then it is an ordinary flag for the caller).
 */
export function parseArgs(args: readonly string[], spec: Record<string, FlagKind>, usage: string): ParsedArgs {
  const options: NodeOptions = {};
  for (const [name, kind] of Object.entries(spec)) options[name] = { type: kind === 'switch' ? 'boolean' : 'string' };
  const ownHelp = spec.help !== undefined;
  options.help = { type: 'boolean', short: 'h' };
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (e) {
    throw refusal(e, args, options, usage);
  }
  if (!ownHelp && parsed.values.help === true) throw new HelpRequested(usage);
  const flags = new Map<string, string | number | boolean>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (name === 'help' && !ownHelp) continue;
    if (typeof value === 'boolean') flags.set(name, value);
    else if (typeof value === 'string') flags.set(name, spec[name] === 'int' ? wholeNumber(name, value, usage) : value);
  }
  return { positionals: parsed.positionals, flags };
}

/** Digits only: `""`, `abc`, `-1`, `1.5` and `1e3` are refused rather than read as some number. */
function wholeNumber(name: string, value: string, usage: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new UsageError(`--${name} must be a whole number ≥ 0 (digits only, e.g. --${name} 7), got "${value}"\nusage: ${usage}`);
  }
  return n;
}

/**
 * Turns Node's strict-mode refusal into a UsageError that names the flag. Node's own message is
 * written for developers, so the offending token is found again in a lenient pass over the same
 * tokens (the first one strict mode would refuse) and described in the user's terms.
 */
function refusal(e: unknown, args: readonly string[], options: NodeOptions, usage: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return e;
  const { tokens = [] } = parseNodeArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const type = options[t.name]?.type;
    if (type === undefined) {
      const hint = t.rawName.startsWith('--') ? '' : ` (an argument that starts with "-" goes after --, e.g. -- ${t.rawName})`;
      return new UsageError(`unknown option ${t.rawName}${hint}\nusage: ${usage}`);
    }
    if (type === 'boolean' && t.value !== undefined) {
      return new UsageError(`${t.rawName} is a switch and takes no value, got "${t.rawName}=${t.value}"\nusage: ${usage}`);
    }
    if (type === 'string' && t.value === undefined) return new UsageError(`${t.rawName} needs a value\nusage: ${usage}`);
    if (type === 'string' && !t.inlineValue && t.value !== undefined && t.value.length > 1 && t.value.startsWith('-')) {
      return new UsageError(
        `${t.rawName} needs a value, got the option-like "${t.value}"; if that is the value, write ${t.rawName}=${t.value}\nusage: ${usage}`,
      );
    }
  }
  return new UsageError(`${(e as Error).message}\nusage: ${usage}`);
}
