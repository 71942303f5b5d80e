/**
 * `fengkong serve [--port 8080] [--host 127.0.0.1] [--data ./data] [--policy DIR]`: the decision
 * server on the embedded store. With `--nats URL --postgres URL [--cluster NAME]` it starts one node
 * of a cluster instead (docs/scale-out.md), loaded by `import()` so the embedded default never loads
 * the services' client libraries. Prints the URL once ready; SIGTERM or SIGINT stop it gracefully
 * (in-flight requests finish, the journal is flushed) and the command exits 0. With `--tls-cert`
 * and `--tls-key` (both, PEM files) it serves HTTPS, so keys never cross the network in clear.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { WARM_ANSWERS } from '../server/answer-warm-up.js';
import { startServer, type Iso8583Options, type TlsFiles } from '../server/server.js';
import { parseArgs, type ParsedArgs } from './args.js';
import { parseScheduleFile, type CadenceOrOff } from '../schedules/schedule-file.js';

const USAGE = `fengkong serve [--port 8080] [--host 127.0.0.1] [--data ./data] [--policy DIR] [--model model.json] [--journal auto|walsync|thread|inline] [--durability fsync|process] [--warm-up-answers 3000] [--event-time-tolerance SECONDS] [--tls-cert cert.pem --tls-key key.pem] [--master-key-file FILE]
         --durability: when an answer leaves — fsync (default): once its decision is on disk, safe against power loss;
         process: once the decision is in the operating system's hands, fsynced right behind — safe against a crash or kill -9
         of the server, not a power loss (docs/server.md, "Durability")
         --warm-up-answers: payments a scratch server answers over loopback before this one listens, so the first live
         answers find the whole path warm (about a second of start; 0: none)
         [--iso8583-port P [--iso8583-host 127.0.0.1] [--iso8583-tpdu] [--iso8583-idle-timeout 300]] [--consortium-key-file FILE] [--schedule-file FILE]
         --schedule-file: when the scheduled jobs run, a JSON object like {"review_queue": "daily 09:30", "weekly_report": "mon 10:00",
         "list_expiry": "off"} (Asia/Shanghai; jobs: list_expiry, rerate_idle, review_queue, limit_proposals, weekly_report; docs/automation.md)
         --consortium-key-file: the key partner institutions' shared lists are hashed under (default <data>/consortium.key
         when present; docs/automation.md, "Partner institutions")
         --iso8583-port also listens for ISO 8583 (2-byte length frames, ASCII MTI, binary bitmap) beside HTTP: the same decisions
         and journal (docs/iso8583.md); --iso8583-tpdu expects a 5-byte TPDU and 6-byte header before the MTI (Chinese POS
         networks); --iso8583-idle-timeout closes a connection silent for that many seconds (0: never)
       fengkong serve --nats URL --postgres URL [--cluster fengkong] [--partitions 1] [--node-id ID] [--jetstream-replicas 1|3] [--port 8080] [--host 127.0.0.1] [--policy DIR] [--model model.json] [--event-time-tolerance SECONDS] [--tls-cert cert.pem --tls-key key.pem] [--master-key-file FILE]
         one node of a cluster on NATS JetStream and PostgreSQL (docs/scale-out.md, docs/deploy.md); every node needs the same master key file; --policy/--model seed a new cluster's version 1 (then publish through the API);
         --partitions fixes a new cluster's partition count (later nodes may leave it out);
         FENGKONG_NATS_URL, FENGKONG_POSTGRES_URL, FENGKONG_CLUSTER, FENGKONG_PARTITIONS, FENGKONG_NODE_ID, FENGKONG_JETSTREAM_REPLICAS and FENGKONG_MASTER_KEY_FILE stand in for the flags`;
/**
 * A cluster node's settings from the environment (a container's configuration); a flag wins over
 * its variable. Any of the first two set makes `fengkong serve` a cluster node.
 */
const CLUSTER_ENV = ['FENGKONG_NATS_URL', 'FENGKONG_POSTGRES_URL'];
/** Flags of the embedded server only. */
const EMBEDDED_ONLY = ['data', 'journal', 'durability', 'iso8583-port', 'iso8583-host', 'iso8583-tpdu', 'iso8583-idle-timeout', 'consortium-key-file', 'schedule-file'];
/** The ISO 8583 listener's flags besides its port. */
const ISO_FLAGS = ['iso8583-host', 'iso8583-tpdu', 'iso8583-idle-timeout'];
/** Flags of a cluster node only. */
const CLUSTER_ONLY = ['cluster', 'partitions', 'node-id', 'owner-ttl-ms', 'jetstream-replicas', 'redis'];
const JOURNAL_MODES = ['auto', 'walsync', 'thread', 'inline'] as const;
const DURABILITIES = ['fsync', 'process'] as const;

/** Runs the server until a signal; resolves to the exit code. */
export async function runServe(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(
    args,
    {
      port: 'int', host: 'string', data: 'string', policy: 'string', model: 'string', journal: 'string', durability: 'string', 'event-time-tolerance': 'int', 'warm-up-answers': 'int', 'tls-cert': 'string', 'tls-key': 'string', 'master-key-file': 'string', 'consortium-key-file': 'string', 'schedule-file': 'string',
      'iso8583-port': 'int', 'iso8583-host': 'string', 'iso8583-tpdu': 'switch', 'iso8583-idle-timeout': 'int',
      nats: 'string', postgres: 'string', redis: 'string', cluster: 'string', partitions: 'int', 'node-id': 'string', 'owner-ttl-ms': 'int', 'jetstream-replicas': 'int',
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const port = (flags.get('port') as number | undefined) ?? 8080;
  if (port > 65535) throw new UsageError(`--port must be at most 65535\nusage: ${USAGE}`);
  if (flags.has('nats') || flags.has('postgres') || CLUSTER_ENV.some((e) => process.env[e] !== undefined && process.env[e] !== '')) return runClusterNode(flags, port);
  for (const f of CLUSTER_ONLY) {
    if (flags.has(f)) throw new UsageError(`--${f} is for a cluster node: give --nats URL and --postgres URL too\nusage: ${USAGE}`);
  }
  const iso8583 = isoOptions(flags);
  const dataDir = resolve((flags.get('data') as string | undefined) ?? './data');
  const journal = (flags.get('journal') as string | undefined) ?? 'auto';
  if (!(JOURNAL_MODES as readonly string[]).includes(journal)) {
    throw new UsageError(`--journal must be one of ${JOURNAL_MODES.join(', ')}\nusage: ${USAGE}`);
  }
  const durability = (flags.get('durability') as string | undefined) ?? 'fsync';
  if (!(DURABILITIES as readonly string[]).includes(durability)) {
    throw new UsageError(`--durability must be fsync or process\nusage: ${USAGE}`);
  }
  if (durability === 'process' && journal === 'thread') {
    throw new UsageError(`--journal thread answers after the writer thread's fsync; --durability process commits on the event loop: leave --journal out\nusage: ${USAGE}`);
  }
  // how far ahead of this machine's clock an event's ts may be (default 300 s); see DEFAULT_MAX_EVENT_LEAD_MS
  const tolerance = flags.get('event-time-tolerance') as number | undefined;
  // answers a scratch server gives over loopback before listening, so the first live ones find the path warm
  const warmUpAnswers = (flags.get('warm-up-answers') as number | undefined) ?? WARM_ANSWERS;
  const tls = tlsFiles(flags);
  const cadences = scheduleFile(flags.get('schedule-file') as string | undefined);
  let exitCode = 0;
  let stop: (() => void) | null = null;
  const stopped = new Promise<void>((r) => (stop = r));
  const server = await startServer({
    dataDir,
    port,
    host: (flags.get('host') as string | undefined) ?? '127.0.0.1',
    policyDir: flags.get('policy') as string | undefined,
    masterKeyFile: flags.get('master-key-file') as string | undefined,
    consortiumKeyFile: flags.get('consortium-key-file') as string | undefined,
    modelPath: flags.get('model') as string | undefined,
    journal: journal as (typeof JOURNAL_MODES)[number],
    durability: durability as (typeof DURABILITIES)[number],
    maxEventLeadMs: tolerance === undefined ? undefined : tolerance * 1000,
    warmUpAnswers,
    ...(tls === undefined ? {} : { tls }),
    ...(iso8583 === undefined ? {} : { iso8583 }),
    ...(cadences === undefined ? {} : { schedules: { cadences } }),
    onFatal: () => {
      exitCode = 1;
      stop?.();
    },
  });
  const r = server.recovery;
  process.stderr.write(
    `fengkong serve: data ${dataDir}, policy ${server.policy}, journal ${server.journal}, durability ${server.durability}; recovered ${r.events} events ` +
      `(${r.transactions} decisions) from the journal in ${r.ms.toFixed(0)} ms; warmed up on ${server.warmUp.payments} synthetic payments in ${server.warmUp.ms.toFixed(0)} ms` +
      (server.answerWarmUp === null ? '' : ` and ${server.answerWarmUp.answers} answers of a scratch server in ${server.answerWarmUp.ms.toFixed(0)} ms`) +
      (r.changedDecisions > 0 ? `; ${r.changedDecisions} replayed decisions differ from the answered ones (policy changed)` : '') +
      '\n',
  );
  process.stdout.write(`fengkong serve: listening on ${server.url}\n`);
  if (server.iso8583 !== null) process.stdout.write(`fengkong serve: ISO 8583 on ${server.iso8583.address}${iso8583?.tpdu === true ? ' (TPDU + header)' : ''}\n`);
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

/** `serve --nats … --postgres …`: one cluster node until a signal; resolves to the exit code. */
async function runClusterNode(flags: ParsedArgs['flags'], port: number): Promise<number> {
  const nats = (flags.get('nats') as string | undefined) ?? env('FENGKONG_NATS_URL');
  const postgres = (flags.get('postgres') as string | undefined) ?? env('FENGKONG_POSTGRES_URL');
  if (nats === undefined) throw new UsageError(`a cluster node needs --nats URL (or FENGKONG_NATS_URL): NATS with JetStream, beside --postgres\nusage: ${USAGE}`);
  if (postgres === undefined) throw new UsageError(`a cluster node needs --postgres URL (or FENGKONG_POSTGRES_URL) beside --nats\nusage: ${USAGE}`);
  for (const f of EMBEDDED_ONLY) {
    if (flags.has(f)) throw new UsageError(`--${f} is for the embedded server; a cluster node keeps its journal in NATS JetStream and its stores in PostgreSQL\nusage: ${USAGE}`);
  }
  if (flags.has('redis')) {
    // said plainly rather than accepted and ignored: nothing of a cluster is in Redis
    throw new UsageError(
      `--redis: a cluster keeps nothing in Redis: the merchant, terminal, device and IP state every partition reads travels with the journal (docs/scale-out.md, "What is shared across partitions", says why). Leave --redis out\nusage: ${USAGE}`,
    );
  }
  const tolerance = flags.get('event-time-tolerance') as number | undefined;
  const tls = tlsFiles(flags);
  // loaded here only: the embedded server never loads the services' client libraries
  const { startClusterNode } = await import('../wiring/cluster/node.js');
  const node = await startClusterNode({
    nats,
    postgres,
    port,
    host: (flags.get('host') as string | undefined) ?? '127.0.0.1',
    ...optional('cluster', (flags.get('cluster') as string | undefined) ?? env('FENGKONG_CLUSTER')),
    ...optional('partitions', (flags.get('partitions') as number | undefined) ?? intEnv('FENGKONG_PARTITIONS')),
    ...optional('nodeId', (flags.get('node-id') as string | undefined) ?? env('FENGKONG_NODE_ID')),
    ...optional('ownerTtlMs', flags.get('owner-ttl-ms') as number | undefined),
    ...optional('jetstreamReplicas', (flags.get('jetstream-replicas') as number | undefined) ?? intEnv('FENGKONG_JETSTREAM_REPLICAS')),
    ...optional('policyDir', flags.get('policy') as string | undefined),
    ...optional('modelPath', flags.get('model') as string | undefined),
    ...optional('masterKeyFile', flags.get('master-key-file') as string | undefined),
    ...optional('maxEventLeadMs', tolerance === undefined ? undefined : tolerance * 1000),
    ...(tls === undefined ? {} : { tls }),
  });
  process.stderr.write(`fengkong serve: node ${node.nodeId} of cluster ${node.cluster}, policy ${node.policy()}\n`);
  process.stdout.write(`fengkong serve: listening on ${node.url}\n`);
  await untilSignal();
  process.stderr.write('fengkong serve: stopping (finishing in-flight requests, handing the partition over)\n');
  await node.close();
  process.stderr.write('fengkong serve: stopped\n');
  return 0;
}

/** An environment variable's value; unset or empty is undefined. */
function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A whole-number environment variable; anything else is a UsageError naming it. */
function intEnv(name: string): number | undefined {
  const v = env(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}=${v}: expected a whole number`);
  return Number(v);
}

/** `{ [key]: value }` when the value is given, `{}` otherwise (options are exact: no undefined members). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** Resolves on the first SIGTERM or SIGINT. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

/** The ISO 8583 listener's settings from the flags, or undefined without --iso8583-port. */
function isoOptions(flags: ParsedArgs['flags']): Iso8583Options | undefined {
  const port = flags.get('iso8583-port') as number | undefined;
  if (port === undefined) {
    const stray = ISO_FLAGS.find((f) => flags.has(f));
    if (stray !== undefined) throw new UsageError(`--${stray} needs --iso8583-port too\nusage: ${USAGE}`);
    return undefined;
  }
  if (port > 65535) throw new UsageError(`--iso8583-port must be at most 65535\nusage: ${USAGE}`);
  const idle = flags.get('iso8583-idle-timeout') as number | undefined;
  return {
    port,
    host: (flags.get('iso8583-host') as string | undefined) ?? '127.0.0.1',
    tpdu: flags.get('iso8583-tpdu') === true,
    ...(idle === undefined ? {} : { idleMs: idle * 1000 }),
  };
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

/** The job times of `--schedule-file`, read and checked before the server starts; undefined without the flag. */
function scheduleFile(file: string | undefined): Record<string, CadenceOrOff> | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--schedule-file: cannot read ${file}: ${(e as Error).message}`);
  }
  return parseScheduleFile(text, file);
}
