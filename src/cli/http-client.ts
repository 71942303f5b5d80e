/**
 * The one HTTP client of the commands that talk to a running server (`policy`, `accounts`, `cases`,
 * `merchants`): where and as whom to call (`--url`, `--key` or FENGKONG_KEY), one JSON call, and an
 * unreachable server turned into an error that says what to check.
 */
import { ConfigError, UsageError } from '../errors.js';
import type { ParsedArgs } from './args.js';

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

/** The client of `--url` and `--key` / FENGKONG_KEY; a missing key is a UsageError showing `usage`. */
export function clientOf(a: ParsedArgs, usage: string): HttpClient {
  const key = (a.flags.get('key') as string | undefined) ?? process.env.FENGKONG_KEY;
  if (key === undefined || key === '') throw new UsageError(`an API key is needed: --key KEY or the FENGKONG_KEY environment variable\nusage: ${usage}`);
  return { url: ((a.flags.get('url') as string | undefined) ?? DEFAULT_URL).replace(/\/+$/, ''), key };
}
