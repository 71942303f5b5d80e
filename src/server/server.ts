/**
 * Starting and stopping the decision server: claim the data folder, open the store, rebuild the
 * engine from the journal, then listen; on close stop accepting, finish what is in flight, flush
 * the journal and close the file. The module API the CLI and the tests share.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { consortiumKeyOf } from '../lists/shared.js';
import { TxIndex } from '../accounts/tx-index.js';
import { ConfigError } from '../errors.js';
import { warmUp, WARM_PAYMENTS, type WarmUpReport } from '../engine/warm-up.js';
import { warmAnswerPath, type AnswerWarmUpReport } from './answer-warm-up.js';
import type { DispatcherOptions } from '../webhooks/dispatcher.js';
import type { SchedulerOptions } from './routes/schedules.js';
import { createCaseService } from '../cases/index.js';
import { ListSet } from '../lists/list-set.js';
import { Engine } from '../engine/engine.js';
import { PACKAGE_ROOT } from '../engine/policy-source.js';
import { startCheckpointer, type Checkpointer, type CheckpointOptions } from '../wiring/checkpointer.js';
import { recoverEngine } from '../log/startup.js';
import { storeRecoverySource } from '../store/sqlite/side-inputs.js';
import { bootPolicies } from '../policy/boot.js';
import type { CompiledPolicy } from '../rules/policy-types.js';
import { inlineWriter, type JournalWriter } from '../log/journal.js';
import { openTxIndexReader } from '../store/sqlite/accounts.js';
import { SqliteCaseStore } from '../store/sqlite/cases.js';
import { sqliteWorkerAdapter } from '../store/sqlite/worker-factory.js';
import { SqlitePolicyStore } from '../store/sqlite/policies.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { startThreadedWriter } from '../store/sqlite/threaded-writer.js';
import { startWalSyncWriter } from '../store/sqlite/wal-sync-writer.js';
import { startProcessDurableWriter } from '../store/sqlite/process-durable-writer.js';
import { startWalCheckpointer, type WalCheckpointer } from '../store/sqlite/wal-checkpointer.js';
import { BUILTIN_ROUTES, createHandler } from './app.js';
import { ConsoleFiles } from './console-static.js';
import { Authenticator } from './auth.js';
import type { BadKeyLimits } from './rate-limit.js';
import { GroupCommit } from './group-commit.js';
import { checkTls, listenHttp, type TlsFiles } from './http-listener.js';
import { claimDataDir } from './lock.js';
import { ServerMetrics } from './metrics.js';
import { registerDurabilityGauges, registerGauges, registerLoopGauges } from './gauges.js';
import { LoopStalls } from './loop-stalls.js';
import { MODULES } from './modules.js';
import { openApiDocument, packageVersion } from './openapi.js';
import type { RecoveryReport } from '../log/recovery.js';
import { RequestValidator } from './schemas/validator.js';
import { accessOf, Router, type RouteAccess, type ServerModule } from './routes.js';
import { SeenIds } from './seen-ids.js';
import { DecisionService } from './service.js';
import { CardIndex, cardTokenizer } from './card-index.js';
import { IsoListenerMetrics } from '../iso8583/metrics.js';
import { listenIso8583, type IsoListener } from '../iso8583/listener.js';
import { setEncryption } from '../store/sqlite/crypt.js';
import { privateDataDir } from '../store/sqlite/file-modes.js';

/** How to start a server. */
export interface ServeOptions {
  /** Data folder (created when missing) holding fengkong.db. */
  readonly dataDir: string;
  /**
   * The master key file wrapping the data keys (encryption at rest); default env
   * FENGKONG_MASTER_KEY_FILE, else `<dataDir>/master.key`, created (0600) when absent.
   */
  readonly masterKeyFile?: string;
  /**
   * The consortium key partner lists are hashed under (lists/shared.ts): this file, else
   * `<dataDir>/consortium.key` when it exists; without one, hashed entries match nothing.
   */
  readonly consortiumKeyFile?: string | undefined;
  /**
   * False writes everything in clear: only for the encryption bench and tests, never a CLI flag, and
   * only on a folder never sealed (it cannot open sealed rows). Default true.
   */
  readonly encryption?: boolean;
  /** TCP port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  readonly host?: string;
  /**
   * Policy folder; the default pack when omitted. Imported as policy version 1 on a new data folder
   * only: afterwards the data folder's live version decides (see policy/boot.ts).
   */
  readonly policyDir?: string;
  /** The compiled form of version 1 (tests); see PolicyBootOptions.policy. */
  readonly policy?: CompiledPolicy;
  /** A trained model file scoring every payment beside the rules (`fengkong train`); version 1's model. */
  readonly modelPath?: string;
  /** Where journal commits run; see JournalMode. Default `auto`. */
  readonly journal?: JournalMode | 'auto';
  /** When an answer may leave; see Durability. Default `fsync`. */
  readonly durability?: Durability;
  /** The webhook dispatcher's pacing (tests shorten its waits); DISPATCHER_DEFAULTS when absent. */
  readonly webhooks?: Partial<DispatcherOptions>;
  /** The scheduler's clock and tick (tests run a week in a second); the wall clock and 30 s when absent. */
  readonly schedules?: SchedulerOptions;
  /** Payments a scratch engine decides before listening (engine/warm-up.ts); 0: none. Default WARM_PAYMENTS. */
  readonly warmUpPayments?: number;
  /**
   * Answers a scratch server gives over loopback before this one listens (answer-warm-up.ts), so
   * the whole answer path is warm, not only the engine. Default 0 (none): `fengkong serve` asks for
   * WARM_ANSWERS; a server embedded in a test or a tool starts without the second or so it takes.
   */
  readonly warmUpAnswers?: number;
  /** Where the server's own lines go (a warning, a recovery note…), without the `fengkong serve: ` prefix. Default: stderr with it. */
  readonly log?: (line: string) => void;
  /** Called once if the journal fails; the server then refuses all new work (503). */
  readonly onFatal?: (err: Error) => void;
  /** Milliseconds to wait for in-flight requests on close before cutting connections. Default 10 s. */
  readonly drainMs?: number;
  /**
   * Engine snapshots (docs/snapshots.md): a start restores the newest usable one and replays only
   * the journal after it, and a checkpointer process writes new ones with these options. `false`:
   * none (every start replays the whole journal). Default: on, CHECKPOINT_DEFAULTS.
   */
  readonly snapshots?: CheckpointOptions | false;
  /**
   * The analyst console's built files, served under /console/ (console-static.ts). Default
   * `<package root>/dist/console`, where `npm run build:console` writes them; without a build there,
   * /console/ says how to make one and everything else runs as usual.
   */
  readonly consoleDir?: string;
  /**
   * How far (ms) ahead of this machine's clock an event's `ts` may be; later ones are refused with
   * 400 `event_time_ahead`. Default DEFAULT_MAX_EVENT_LEAD_MS.
   */
  readonly maxEventLeadMs?: number;
  /** How unknown API keys from one address are throttled (rate-limit.ts); default DEFAULT_BAD_KEY_LIMITS. */
  readonly badKeyLimits?: BadKeyLimits;
  /**
   * Serve HTTPS with this certificate (chain) and private key, both PEM, instead of plain HTTP: the
   * same handler, routes and console. Keys travel in every request's header, so anything beyond
   * the loopback interface should use it (docs/server.md, "TLS").
   */
  readonly tls?: TlsFiles;
  /**
   * Also listen for ISO 8583 (docs/iso8583.md) on this port beside HTTP: the same decisions, the same
   * journal. Off when omitted.
   */
  readonly iso8583?: Iso8583Options;
}

/** The ISO 8583 listener's settings (`fengkong serve --iso8583-port …`). */
export interface Iso8583Options {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** A 5-byte TPDU and a 6-byte header come before the MTI (Chinese POS networks). Default false. */
  readonly tpdu?: boolean;
  /** Close a connection idle this long (ms); 0 never. Default DEFAULT_ISO8583_IDLE_MS. */
  readonly idleMs?: number;
}

/** Five minutes: switches send an echo test (0800/301) every minute or so on a live line. */
export const DEFAULT_ISO8583_IDLE_MS = 5 * 60_000;

export type { TlsFiles } from './http-listener.js';

/**
 * Five minutes: more than honest tills' and switches' clocks drift (they sync by NTP or from the
 * network), far less than any velocity window, so no payment dated ahead can hide others.
 */
export const DEFAULT_MAX_EVENT_LEAD_MS = 5 * 60_000;

/**
 * Where the journal's commits (and their fsync) run. `walsync`: the commit on the event loop, its
 * fsync on libuv's thread pool (see wal-sync-writer.ts) — the loop never waits for the disk and
 * nothing crosses threads but the fsync call. `thread`: commits and fsync in a worker
 * thread. `inline`: commit and fsync on the event loop, blocking it for the disk.
 */
export type JournalMode = 'walsync' | 'thread' | 'inline';

/**
 * `auto`: a writer thread when there are more than two cores to run it on, else inline — on the
 * project's 2-core machine inline measured at least as fast as walsync and thread
 * (bench/server-vs-fastify.ts --journal …): a blocking fsync makes the next batch bigger, and the
 * load generator holds the second core. walsync is the choice when fsync tails hurt latency more.
 */
export function resolveJournalMode(mode: JournalMode | 'auto' = 'auto'): JournalMode {
  if (mode !== 'auto') return mode;
  return availableParallelism() > 2 ? 'thread' : 'inline';
}

/**
 * When an answer may leave. `fsync` (the default): once its decision is on disk — it survives a
 * power loss. `process`: once its decision is committed into the operating system's page cache,
 * with the fsync right behind on libuv's pool (store/sqlite/process-durable-writer.ts) — it
 * survives a crash or `kill -9` of the server, and a power loss may take the last fraction of a
 * millisecond of answers (`fengkong_journal_unsynced_entries` says how many at any moment). The
 * choice trades that window for the fsync's place on the answer path; docs/server.md measures both.
 */
export type Durability = 'fsync' | 'process';

/**
 * The journal writer of `mode` for durability `fsync`; its connections leave the WAL to the
 * checkpoint thread (the store's own, which `inline` commits on, already does).
 */
function startJournalWriter(mode: JournalMode, store: SqliteStore, dataDir: string): Promise<JournalWriter> | JournalWriter {
  if (mode === 'inline') return inlineWriter(store);
  if (mode === 'walsync') return startWalSyncWriter(dataDir, { autoCheckpoint: false });
  return startThreadedWriter(dataDir, { autoCheckpoint: false });
}

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:8080 (https:// with `tls`). */
  readonly url: string;
  readonly port: number;
  readonly recovery: RecoveryReport;
  /** The policy deciding. */
  readonly policy: string;
  /** Where journal commits run. */
  readonly journal: JournalMode;
  /** When answers leave: after their decision's fsync, or once it is in the operating system's hands. */
  readonly durability: Durability;
  /** The warm-up before listening. */
  readonly warmUp: WarmUpReport;
  /** The answer path's warm-up before listening (null when not asked for, or when it failed: the start line says why). */
  readonly answerWarmUp: AnswerWarmUpReport | null;
  /** The snapshot writer (null when snapshots are off or it could not start). */
  readonly checkpointer: Checkpointer | null;
  /** Every route and who may call it: the built-in ones, then the modules' (the route × role table). */
  readonly routes: readonly RouteAccess[];
  /** The ISO 8583 listener (`host:port` and port), or null when not asked for. */
  readonly iso8583: { readonly port: number; readonly address: string } | null;
  /** Graceful stop: refuse new work, finish in-flight, flush the journal, close the file. Idempotent. */
  close(): Promise<void>;
}

/** Opens the data folder, recovers, and listens; resolves when ready to serve. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  // a certificate that is no PEM, or a key that is not its own, fails here, before the data folder is touched
  if (opts.tls !== undefined) checkTls(opts.tls);
  const log = opts.log ?? ((line: string) => process.stderr.write(`fengkong serve: ${line}\n`));
  ensureDir(opts.dataDir);
  for (const line of privateDataDir(opts.dataDir)) log(`warning: ${line}`);
  setEncryption(opts.dataDir, {
    ...(opts.masterKeyFile !== undefined ? { masterKeyFile: resolvePath(opts.masterKeyFile) } : {}),
    enabled: opts.encryption !== false,
  });
  const release = claimDataDir(opts.dataDir);
  let store: SqliteStore | null = null;
  let writer: JournalWriter | null = null;
  let modules: ServerModule[] = [];
  let checkpointer: Checkpointer | null = null;
  let walCheckpointer: WalCheckpointer | null = null;
  let txIndex: TxIndex | null = null;
  let iso: IsoListener | null = null;
  let stalls: LoopStalls | null = null;
  try {
    const durability = opts.durability ?? 'fsync';
    if (durability === 'process' && opts.journal === 'thread') {
      throw new ConfigError('journal: `thread` commits in a writer thread and answers after its fsync; with durability `process` the journal commits on the event loop (leave journal at auto)');
    }
    // the WAL is copied back by a thread of its own (wal-checkpointer.ts), never inside a commit
    store = new SqliteStore(opts.dataDir, { autoCheckpoint: false });
    // recovery reads the journal next: a reader thread loads meanwhile (store/sqlite/read-ahead.ts)
    store.prepareLongRead();
    // the live policy version (imported from policyDir/policy/modelPath on a new data folder) decides and recovers
    const boot = bootPolicies({ policies: new SqlitePolicyStore(store.database), audit: store.audit, journal: store }, opts);
    for (const note of boot.notes) log(note);
    const policy = boot.runnable.policy;
    const seen = new SeenIds();
    // from the newest usable snapshot, then the journal after it; account and merchant actions are
    // applied at the journal position each took effect (see store/sqlite/side-inputs.ts)
    // the lists rules read: the engine reads them, the lists module keeps them in step with the store
    const lists = new ListSet();
    const consortium = opts.consortiumKeyFile ?? join(opts.dataDir, 'consortium.key');
    if (opts.consortiumKeyFile !== undefined || existsSync(consortium)) lists.setConsortiumKey(consortiumKeyOf(readFileSync(consortium, 'utf8')));
    const { engine, recovery, note } = recoverEngine(
      storeRecoverySource(store),
      opts.dataDir,
      policy,
      () => new Engine(policy, { model: boot.runnable.model ?? undefined, lists }),
      (id) => seen.add(id),
      opts.snapshots !== false,
    );
    store.endLongRead();
    // the first payments are decided by optimized code, not the interpreter (engine/warm-up.ts)
    const warm = warmUp(() => new Engine(policy, { model: boot.runnable.model ?? undefined, lists }), opts.warmUpPayments ?? WARM_PAYMENTS);
    // card number → account, kept only as keyed tokens; rebuilt from the journal's account events
    // when the ISO 8583 listener will read it (one pass over the journal, account rows only opened)
    const cards = new CardIndex(cardTokenizer(store.crypt.ring === null ? null : store.crypt.ring.token.bind(store.crypt.ring)));
    if (opts.iso8583 !== undefined) store.forEachEventInRange({ type: 'account' }, (e) => cards.learnJournaled(e.event));
    if (note !== null) log(note);
    // the checkpointer starts once recovery has read the snapshots (it may prune them)
    const writeSnapshots = opts.snapshots !== false && opts.snapshots?.write !== false;
    checkpointer = writeSnapshots ? await startSnapshots(opts.dataDir, opts.snapshots || {}, log) : null;
    const main = store.database;
    walCheckpointer = await startWalCheckpointer(store.file, { finish: () => main.pragma('wal_checkpoint(PASSIVE)') });
    const journalMode = durability === 'process' ? 'inline' : resolveJournalMode(opts.journal);
    const processWriter = durability === 'process' ? startProcessDurableWriter(opts.dataDir, { autoCheckpoint: false }) : null;
    writer = processWriter ?? (await startJournalWriter(journalMode, store, opts.dataDir));
    const metrics = new ServerMetrics();
    let fatal: Error | null = null;
    const commit = new GroupCommit(writer, recovery.lastSeq, {
      onCommit: (size, ms) => metrics.commit(size, ms),
      onFail: (err) => {
        fatal = err;
        log(`journal failed, refusing new work: ${err.message}`);
        opts.onFatal?.(err);
      },
    });
    const service = new DecisionService(engine, store, commit, metrics, seen);
    registerGauges(metrics, commit, recovery, engine);
    registerDurabilityGauges(metrics, walCheckpointer, processWriter);
    const cases = createCaseService({ store: new SqliteCaseStore(store.database), audit: store.audit, engine, decisions: service });
    txIndex = new TxIndex(openTxIndexReader(opts.dataDir), sqliteWorkerAdapter(opts.dataDir));
    // the index learns committed payments from here; it reads the journal only for what it missed
    service.onCommitted(txIndex.told);
    const parts = { engine, lists, store, audit: store.audit, service, metrics, dataDir: opts.dataDir, cases, txIndex, feedConsumers: [], automation: { jobs: [] }, ...(opts.webhooks === undefined ? {} : { webhooks: opts.webhooks }), ...(opts.schedules === undefined ? {} : { schedules: opts.schedules }) };
    modules = MODULES.map((m) => m(parts));
    const router = new Router(modules.flatMap((m) => m.routes));
    let closing = false;
    const auth = new Authenticator(store, undefined, opts.badKeyLimits);
    registerAuthMetrics(metrics, auth);
    const handler = createHandler({
      service,
      cards,
      auth,
      metrics,
      router,
      validator: new RequestValidator(router.routes),
      openapi: JSON.stringify(openApiDocument(packageVersion(), router.routes)),
      console: new ConsoleFiles(opts.consoleDir ?? join(PACKAGE_ROOT, 'dist', 'console')),
      closing: () => closing,
      maxEventLeadMs: opts.maxEventLeadMs ?? DEFAULT_MAX_EVENT_LEAD_MS,
      health: () => {
        const status = fatal !== null ? 'journal_failed' : closing ? 'shutting_down' : 'ok';
        return {
          ok: status === 'ok',
          body: { status, policy: engine.currentPolicy.name, journalSeq: commit.lastSeq, journalPending: commit.pendingEntries },
        };
      },
    });
    // the rest of the answer path too (HTTP, validation, journal, commit listeners), on a scratch server
    const answerWarmUp = await warmAnswers(opts, log);
    // from here on every stall of the loop is one a request in flight would wait through
    stalls = new LoopStalls();
    registerLoopGauges(metrics, stalls);
    if (opts.iso8583 !== undefined) {
      const isoMetrics = new IsoListenerMetrics();
      const o = opts.iso8583;
      iso = await listenIso8583(
        {
          decider: service,
          cards,
          maxEventLeadMs: opts.maxEventLeadMs ?? DEFAULT_MAX_EVENT_LEAD_MS,
          tpdu: o.tpdu === true,
          closing: () => closing,
          log,
        },
        { port: o.port, host: o.host ?? '127.0.0.1', idleMs: o.idleMs ?? DEFAULT_ISO8583_IDLE_MS },
        isoMetrics,
      );
      isoMetrics.register(metrics, iso.address);
      metrics.gauge('fengkong_cards', 'Cards in the card index (token → account).', () => cards.size);
    }
    const http = await listenHttp(handler, opts.port ?? 8080, opts.host ?? '127.0.0.1', opts.tls);
    const s = store;
    const w = writer;
    const ix = txIndex;
    const wc = walCheckpointer;
    const isoListener = iso;
    const watch = stalls;
    let closed: Promise<void> | null = null;
    return {
      url: http.url,
      port: http.port,
      recovery,
      policy: policy.name,
      journal: journalMode,
      durability,
      warmUp: warm,
      answerWarmUp,
      checkpointer,
      routes: [...BUILTIN_ROUTES, ...router.routes.map(accessOf)],
      iso8583: isoListener === null ? null : { port: isoListener.port, address: isoListener.address },
      close() {
        closed ??= (async () => {
          closing = true;
          await isoListener?.close(opts.drainMs ?? 10_000);
          await http.close(opts.drainMs ?? 10_000, () => commit.flush().catch(() => {}));
          await closeModules(modules);
          await ix.close();
          await checkpointer?.close();
          await w.close();
          await wc.close();
          watch.stop();
          s.close();
          release();
        })();
        return closed;
      },
    };
  } catch (e) {
    stalls?.stop();
    await iso?.close(0).catch(() => {});
    await closeModules(modules);
    await txIndex?.close().catch(() => {});
    await checkpointer?.close().catch(() => {});
    await writer?.close().catch(() => {});
    await walCheckpointer?.close().catch(() => {});
    store?.close();
    release();
    throw e;
  }
}

/** The rate limits' figures: 429s per key id, and for addresses sending unknown keys. */
function registerAuthMetrics(m: ServerMetrics, auth: Authenticator): void {
  m.family('fengkong_rate_limited_total', 'Requests refused (429) for being over the key\'s rate limit, by key id.', 'counter', 'key', () => auth.rateLimited());
  m.family('fengkong_auth_throttled_total', 'Requests refused (429) because their address presented too many unknown API keys.', 'counter', 'reason', () => [
    ['too_many_bad_keys', auth.badKeyStats().refused],
  ]);
  m.gauge('fengkong_bad_key_addresses', 'Remote addresses tracked for unknown API keys (capped).', () => auth.badKeyStats().addresses);
}

/** Starts the checkpointer; a failure leaves the server without new snapshots, not without service. */
async function startSnapshots(dataDir: string, options: CheckpointOptions, log: (line: string) => void): Promise<Checkpointer | null> {
  try {
    return await startCheckpointer(dataDir, options, log);
  } catch (e) {
    log(`snapshots off, the checkpointer did not start: ${(e as Error).message}`);
    return null;
  }
}

/** The answer path's warm-up when asked for; a failure costs only the warm-up, never the start. */
async function warmAnswers(opts: ServeOptions, log: (line: string) => void): Promise<AnswerWarmUpReport | null> {
  const answers = opts.warmUpAnswers ?? 0;
  if (answers <= 0) return null;
  try {
    return await warmAnswerPath(startServer, opts, answers);
  } catch (e) {
    log(`the answer path was not warmed up (the first requests may be slower): ${(e as Error).message}`);
    return null;
  }
}

/** Stops the modules' background work; a failing module does not keep the others running. */
async function closeModules(modules: readonly ServerModule[]): Promise<void> {
  for (const m of modules) {
    try {
      await m.close?.();
    } catch (e) {
      process.stderr.write(`fengkong serve: a module failed to stop: ${(e as Error).message}\n`);
    }
  }
}

/** The lock file needs the folder before the store creates its file. */
function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
