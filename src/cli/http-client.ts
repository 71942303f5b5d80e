/**
 * The one HTTP client of the commands that talk to a running server (`policy`, `accounts`, `cases`,
 * `merchants`): where and as whom to call (`--url`; the key from FENGKONG_KEY, `--key-file` or, with
 * a warning, `--key`), one JSON call, and an unreachable server turned into an error that says what
 * to check. A key given as `--key` is visible to every user of the machine in the process list
 * (`ps`), so it still works but says so on stderr.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, UsageError } from '../errors.js';
import { parseArgs, type FlagKind, type ParsedArgs } from './args.js';

/** An API answer: status and parsed JSON (or the text when it is not JSON). */
export interface HttpReply {
  readonly status: number;
  readonly body: unknown;
}

/** Where and as whom a command calls. */
export interface HttpClient {
  readonly url: string;
  readonly key: string;
}

/** The default server of every client command. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** One JSON call to the server; a server that cannot be reached is a ConfigError saying so. */
export async function httpRequest(c: HttpClient, method: string, path: string, body?: unknown): Promise<HttpReply> {
  let res: Response;
  try {
    res = await fetch(c.url + path, {
      method,
      headers: { authorization: `Bearer ${c.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ConfigError(`cannot reach the server at ${c.url}: ${cause?.code ?? cause?.message ?? (e as Error).message} (is \`fengkong serve\` running? --url)`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: text };
  }
}

/** The key flags every client command accepts; spread into its parseArgs spec. */
export const KEY_FLAGS: Record<string, FlagKind> = { key: 'string', 'key-file': 'string' };

/**
 * The client of `--url` and a key: `--key-file FILE` (its first line) or `--key` with a warning
 * on `warn` (stderr by default), else FENGKONG_KEY. Two of them at once, an unreadable or empty
 * file, or none at all is a UsageError naming the flag.
 */
export function clientOf(a: ParsedArgs, usage: string, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): HttpClient {
  const flagKey = a.flags.get('key') as string | undefined;
  const keyFile = a.flags.get('key-file') as string | undefined;
  if (flagKey !== undefined && keyFile !== undefined) throw new UsageError(`--key and --key-file: give one of them\nusage: ${usage}`);
  let key: string | undefined;
  if (keyFile !== undefined) key = readKeyFile(keyFile, usage);
  else if (flagKey !== undefined) {
    warn('fengkong: warning: a key given as --key is visible to other users in the process list; use --key-file FILE or FENGKONG_KEY');
    key = flagKey;
  } else key = process.env.FENGKONG_KEY;
  if (key === undefined || key === '') {
    throw new UsageError(`an API key is needed: --key-file FILE or the FENGKONG_KEY environment variable\nusage: ${usage}`);
  }
  return { url: ((a.flags.get('url') as string | undefined) ?? DEFAULT_URL).replace(/\/+$/, ''), key };
}

/** The key in `file`: its first line, trimmed (what `fengkong keys create > file` wrote). */
function readKeyFile(file: string, usage: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a folder, not a file' : (e as Error).message;
    throw new UsageError(`--key-file ${file}: cannot read it (${why})\nusage: ${usage}`);
  }
  const key = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  if (key === '') throw new UsageError(`--key-file ${file}: the file is empty (expected the key on its first line)\nusage: ${usage}`);
  return key;
}

/** Where a command writes a line. */
export type Out = (line: string) => void;

/** A client subcommand's arguments read once: the subcommand, its operands, the client and the answer helpers. */
export interface ClientCommand {
  readonly args: ParsedArgs;
  /** the subcommand (`list`, `show`, …), undefined when none was given. */
  readonly cmd: string | undefined;
  readonly rest: readonly string[];
  readonly client: HttpClient;
  /** a string flag, undefined when absent. */
  str(name: string): string | undefined;
  /** writes `body` as JSON with --json, else runs `human`. */
  emit(body: unknown, human: () => void): void;
  /** the operands, when there are exactly `n` of them; else a UsageError naming `what` it needs. */
  need(n: number, what: string): readonly string[];
}

/**
 * Reads the arguments of `fengkong <name> …` (a command that calls the server): with none or a help
 * flag, prints the usage and returns the exit code (2 without arguments, 0 for help).
 */
export function clientCommand(name: string, args: readonly string[], spec: Record<string, FlagKind>, usage: string, out: Out): ClientCommand | number {
  if (args.length === 0 || ['help', '--help', '-h'].includes(args[0])) {
    out(`usage: ${usage}`);
    return args.length === 0 ? 2 : 0;
  }
  const a = parseArgs(args, spec, usage);
  const [cmd, ...rest] = a.positionals;
  const json = a.flags.get('json') === true;
  return {
    args: a,
    cmd,
    rest,
    client: clientOf(a, usage),
    str: (flag) => a.flags.get(flag) as string | undefined,
    emit: (body, human) => (json ? out(JSON.stringify(body, null, 2)) : human()),
    need(n, what) {
      if (rest.length !== n) throw new UsageError(`"${name} ${cmd}" needs ${what}\nusage: ${usage}`);
      return rest;
    },
  };
}
