/**
 * `fengkong serve [--port 8080] [--host 127.0.0.1] [--data ./data] [--policy DIR]`: the decision
 * server on the embedded store. Prints the URL once ready; SIGTERM or SIGINT stop it gracefully
 * (in-flight requests finish, the journal is flushed) and the command exits 0. With `--tls-cert`
 * and `--tls-key` (both, PEM files) it serves HTTPS, so keys never cross the network in clear.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { startServer, type TlsFiles } from '../server/server.js';
import { parseArgs, type ParsedArgs } from './args.js';

const USAGE =
  'fengkong serve [--port 8080] [--host 127.0.0.1] [--data ./data] [--policy DIR] [--model model.json] [--journal auto|walsync|thread|inline] [--event-time-tolerance SECONDS] [--tls-cert cert.pem --tls-key key.pem] [--master-key-file FILE]';
const JOURNAL_MODES = ['auto', 'walsync', 'thread', 'inline'] as const;

/** Runs the server until a signal; resolves to the exit code. */
export async function runServe(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(
    args,
    { port: 'int', host: 'string', data: 'string', policy: 'string', model: 'string', journal: 'string', 'event-time-tolerance': 'int', 'tls-cert': 'string', 'tls-key': 'string', 'master-key-file': 'string' },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const port = (flags.get('port') as number | undefined) ?? 8080;
  if (port > 65535) throw new UsageError(`--port must be at most 65535\nusage: ${USAGE}`);
  const dataDir = resolve((flags.get('data') as string | undefined) ?? './data');
  const journal = (flags.get('journal') as string | undefined) ?? 'auto';
  if (!(JOURNAL_MODES as readonly string[]).includes(journal)) {
    throw new UsageError(`--journal must be one of ${JOURNAL_MODES.join(', ')}\nusage: ${USAGE}`);
  }
  // how far ahead of this machine's clock an event's ts may be (default 300 s); see DEFAULT_MAX_EVENT_LEAD_MS
  const tolerance = flags.get('event-time-tolerance') as number | undefined;
  const tls = tlsFiles(flags);
  let exitCode = 0;
  let stop: (() => void) | null = null;
  const stopped = new Promise<void>((r) => (stop = r));
  const server = await startServer({
    dataDir,
    port,
    host: (flags.get('host') as string | undefined) ?? '127.0.0.1',
    policyDir: flags.get('policy') as string | undefined,
    masterKeyFile: flags.get('master-key-file') as string | undefined,
    modelPath: flags.get('model') as string | undefined,
    journal: journal as (typeof JOURNAL_MODES)[number],
    maxEventLeadMs: tolerance === undefined ? undefined : tolerance * 1000,
    ...(tls === undefined ? {} : { tls }),
    onFatal: () => {
      exitCode = 1;
      stop?.();
    },
  });
  const r = server.recovery;
  process.stderr.write(
    `fengkong serve: data ${dataDir}, policy ${server.policy}, journal ${server.journal}; recovered ${r.events} events ` +
      `(${r.transactions} decisions) from the journal in ${r.ms.toFixed(0)} ms` +
      (r.changedDecisions > 0 ? `; ${r.changedDecisions} replayed decisions differ from the answered ones (policy changed)` : '') +
      '\n',
  );
  process.stdout.write(`fengkong serve: listening on ${server.url}\n`);
  const onSignal = (): void => stop?.();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await stopped;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  process.stderr.write('fengkong serve: stopping (finishing in-flight requests, flushing the journal)\n');
  await server.close();
  process.stderr.write('fengkong serve: stopped\n');
  return exitCode;
}

/**
 * The PEM files of `--tls-cert` and `--tls-key`, read now so a missing or unreadable one is named
 * before anything starts; both or neither (half a TLS setup would silently serve plain HTTP).
 */
function tlsFiles(flags: ParsedArgs['flags']): TlsFiles | undefined {
  const cert = flags.get('tls-cert') as string | undefined;
  const key = flags.get('tls-key') as string | undefined;
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined) throw new UsageError(`--tls-key needs --tls-cert too (the certificate, PEM)\nusage: ${USAGE}`);
  if (key === undefined) throw new UsageError(`--tls-cert needs --tls-key too (its private key, PEM)\nusage: ${USAGE}`);
  return { cert: readPem('tls-cert', cert), key: readPem('tls-key', key) };
}

function readPem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a folder, not a file' : (e as Error).message;
    throw new UsageError(`--${flag} ${file}: cannot read it (${why})\nusage: ${USAGE}`);
  }
}
