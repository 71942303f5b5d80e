/**
 * One node of a Fengkong cluster (`fengkong serve --nats URL --postgres URL`, docs/scale-out.md): the
 * embedded server's HTTP API on services the provider already runs. The journal is the partition's
 * JetStream subject; API keys, the audit chain and the journal's projection live in PostgreSQL; the
 * node owns the partition (lease) or forwards to the node that does, follows it as a warm replica,
 * and projects the journal into PostgreSQL. Reached only through `import()` from the CLI, so the
 * embedded default loads none of pg, ioredis or nats.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../engine/engine.js';
import { loadPolicy, PACKAGE_ROOT } from '../../engine/policy-source.js';
import { ListSet } from '../../lists/list-set.js';
import { loadModel } from '../../model/model-file.js';
import { BUILTIN_ROUTES, createHandler } from '../../server/app.js';
import { Authenticator } from '../../server/auth.js';
import { auditRoutes } from '../../server/routes/audit.js';
import { modeRoutes } from '../../server/routes/modes.js';
import { policyRoutes } from '../../server/routes/policies.js';
import { CompiledCache, type Runnable } from '../../policy/compiled.js';
import { ClusterPolicyLifecycle } from '../../policy/cluster-lifecycle.js';
import { announceChange, onChangeAnnounced } from '../../store/nats/change-notice.js';
import { PgPolicyStore } from '../../store/postgres/policies.js';
import { ClusterPolicySource, importFirstVersion } from './policy-control.js';
import { accountRoutes } from '../../server/routes/accounts.js';
import { PgAccountStore } from '../../store/postgres/accounts.js';
import { clusterAccountService } from './accounts.js';
import { merchantRoutes } from '../../server/routes/merchants.js';
import { PgMerchantStore } from '../../store/postgres/merchants.js';
import { ClusterMerchantActions } from './merchants.js';
import { placesOf, PLACE_PAYMENTS } from '../../merchants/places.js';
import { whoAmIRoute } from '../../server/routes/whoami.js';
import { keyRoutes } from '../../server/routes/keys.js';
import { ConsoleFiles } from '../../server/console-static.js';
import { checkTls, listenHttp, type HttpListener, type TlsFiles } from '../../server/http-listener.js';
import { ServerMetrics } from '../../server/metrics.js';
import { openApiDocument, packageVersion } from '../../server/openapi.js';
import type { BadKeyLimits } from '../../server/rate-limit.js';
import { accessOf, Router, type RouteAccess } from '../../server/routes.js';
import { RequestValidator } from '../../server/schemas/validator.js';
import { DEFAULT_MAX_EVENT_LEAD_MS } from '../../server/server.js';
import { connectCluster, type NatsCluster } from '../../store/nats/connect.js';
import { Forwarder, serveForwarded, type ForwardServer } from '../../store/nats/forward.js';
import { PgJournalProjection } from '../../store/postgres/journal-projection.js';
import { PgPartitionSnapshots } from '../../store/postgres/partition-snapshots.js';
import { startProjector, type Projector } from './projector.js';
import { PartitionRunner, type PartitionStatus } from './partition.js';
import { partitionOf } from '../../engine/partition-of.js';
import { announcePresence } from '../../store/nats/presence.js';
import { Balancer } from './balance.js';
import { checkPartitionCount, clusterPartitions } from '../../store/postgres/cluster-settings.js';
import { lastJournalSeq } from '../../store/nats/journal-reader.js';
import { answerForwarded, ClusterDecider } from './router.js';
import { clusterKeyChanges } from './keys.js';
import { startClusterLists, type ClusterLists } from './lists.js';
import { openClusterStores, type ClusterStores } from './stores.js';

/** How to start a cluster node. */
export interface ClusterNodeOptions {
  /** NATS with JetStream, e.g. nats://127.0.0.1:4222. */
  readonly nats: string;
  /** PostgreSQL, e.g. postgres://fengkong@db:5432/fengkong. */
  readonly postgres: string;
  /** The cluster's name (default `fengkong`): its schema, streams, subjects and buckets carry it. */
  readonly cluster?: string;
  /**
   * Partitions of the account space, fixed when the cluster is created (default 1; later nodes may
   * leave it out, and must agree when they give it): docs/scale-out.md, "Partitions".
   */
  readonly partitions?: number;
  /** This node's id in leases and logs (default `<hostname>-<random>`). */
  readonly nodeId?: string;
  /** The master key file wrapping the cluster's data keys (every node needs the same file). */
  readonly masterKeyFile?: string;
  readonly port?: number;
  readonly host?: string;
  /**
   * Policy folder (default pack when omitted) imported as version 1 by the node that starts a new
   * cluster; ignored (with a note) once the cluster has versions: publish through the API instead.
   */
  readonly policyDir?: string;
  readonly modelPath?: string;
  readonly maxEventLeadMs?: number;
  readonly badKeyLimits?: BadKeyLimits;
  readonly tls?: TlsFiles;
  readonly consoleDir?: string;
  /**
   * Replicas of the journal stream and the owners bucket when this node creates them (default 1;
   * 3 in production, on a three-server NATS cluster). A stream found with another count is refused.
   */
  readonly jetstreamReplicas?: number;
  /** Lease TTL in ms when this node creates the cluster's bucket (default 3000). */
  readonly ownerTtlMs?: number;
  /** Milliseconds to wait for in-flight requests on close. Default 10 s. */
  readonly drainMs?: number;
  /** Where the node writes what it does (default stderr). */
  readonly log?: (line: string) => void;
}

/** A running node. */
export interface RunningClusterNode {
  readonly url: string;
  readonly port: number;
  readonly nodeId: string;
  readonly cluster: string;
  /** The policy this node's engine runs now (it follows the cluster's publications). */
  policy(): string;
  readonly routes: readonly RouteAccess[];
  /** Where each partition stands on this node. */
  partitions(): PartitionStatus[];
  /** Graceful stop: refuse new work, finish in flight, hand the partition over (lease released), close. */
  close(): Promise<void>;
}

/** Connects to the services, starts following and owning the partition, and listens. */
export async function startClusterNode(opts: ClusterNodeOptions): Promise<RunningClusterNode> {
  if (opts.tls !== undefined) checkTls(opts.tls);
  if (opts.partitions !== undefined) checkPartitionCount(opts.partitions);
  const clusterName = opts.cluster ?? 'fengkong';
  const nodeId = opts.nodeId ?? `${hostname()}-${randomUUID().slice(0, 8)}`;
  const log = opts.log ?? ((line: string) => process.stderr.write(`fengkong serve [${nodeId}]: ${line}\n`));
  // the policy and model first: a policy that does not compile fails before any service is touched
  if (opts.policyDir !== undefined) loadPolicy(opts.policyDir);
  if (opts.modelPath !== undefined) loadModel(opts.modelPath);
  const lists = new ListSet();
  const makeEngine = (r: Runnable): Engine => new Engine(r.policy, { model: r.model ?? undefined, lists });

  let stores: ClusterStores | null = null;
  let nats: NatsCluster | null = null;
  let projector: Projector | null = null;
  const runners: PartitionRunner[] = [];
  let forwarder: Forwarder | null = null;
  /** Per partition, the inbox answering forwarded requests while this node owns it. */
  const inboxes: Array<ForwardServer | null> = [];
  let http: HttpListener | null = null;
  let clusterLists: ClusterLists | null = null;
  let stopPolicyNotices: (() => void) | null = null;
  let balancer: Balancer | null = null;
  try {
    stores = await openClusterStores({ postgres: opts.postgres, cluster: clusterName, ...(opts.masterKeyFile !== undefined ? { masterKeyFile: opts.masterKeyFile } : {}) });
    nats = await connectCluster({ url: opts.nats, cluster: clusterName, name: `fengkong ${nodeId}`, ...(opts.ownerTtlMs !== undefined ? { ownerTtlMs: opts.ownerTtlMs } : {}), ...(opts.jetstreamReplicas !== undefined ? { replicas: opts.jetstreamReplicas } : {}) });
    const n = nats;
    // the partition count first: a node that disagrees with the cluster changes nothing
    const partitions = await clusterPartitions(stores.pg, opts.partitions, async () => (await lastJournalSeq(n, 0)).seq > 0);
    if (partitions > 1) log(`the cluster has ${partitions} partitions`);
    const crypt = stores.crypt;
    const sealer = crypt.payloadSealer();
    const policyStore = await PgPolicyStore.open(stores.pg, { crypt });
    const imported = await importFirstVersion(policyStore, stores.audit, { ...(opts.policyDir !== undefined ? { policyDir: opts.policyDir } : {}), ...(opts.modelPath !== undefined ? { modelPath: opts.modelPath } : {}) });
    if (imported !== null) log(imported);
    const policies = new ClusterPolicySource(policyStore, stores.audit, new CompiledCache());
    const accountStore = await PgAccountStore.open(stores.pg, { crypt, partitions });
    const merchantStore = await PgMerchantStore.open(stores.pg, { crypt });
    const projection = await PgJournalProjection.open(stores.pg, crypt);
    projector = await startProjector({ cluster: nats, projection, sealer });
    const metrics = new ServerMetrics();
    const snapshots = await PgPartitionSnapshots.open(stores.pg);
    const balance: { b: Balancer | null } = { b: null };
    for (let p = 0; p < partitions; p++) {
      inboxes.push(null);
      runners.push(new PartitionRunner({
      cluster: n,
      partition: p,
      partitions,
      mayTake: () => balance.b?.mayTake() ?? true,
      nodeId,
      sealer,
      refreshKeys: () => crypt.refresh(),
      makeEngine,
      policies,
      actions: accountStore,
      merchantActions: merchantStore,
      metrics,
      projection,
      snapshots,
      log,
      onOwnerChange: (decider) => {
        // the inbox follows ownership: only the owner answers forwarded requests
        const old = inboxes[p];
        inboxes[p] = decider === null ? null : serveForwarded(n, p, (reqs) => answerForwarded(decider, p, reqs));
        if (old !== null) void old.close();
        // what this node forwarded to the owner it replaces waits no longer: answered 503, the retry lands here
        if (decider !== null) forwarder?.abandonInFlight(p, `this node took partition ${p} over from the node the request was forwarded to`);
      },
      }));
    }
    // partition 0 places the policy and the merchant actions: it speaks for the cluster's policy and reference data
    const r = runners[0];
    forwarder = new Forwarder(n);
    const decider = new ClusterDecider(
      {
        partitions,
        owner: (p) => runners[p].decider,
        recent: (p, txId) => runners[p].recentDecision(txId),
        projected: async (txId) => (await projection.decision(txId))?.decision ?? null,
      },
      forwarder,
    );
    // the replicas first (the policy the journal placed, a snapshot): lists and routes read their policy
    for (const x of runners) log(await x.prepare());
    const decidingPolicy = () => r.currentEngine().currentPolicy;
    clusterLists = await startClusterLists(stores, nats, lists, decidingPolicy);
    // a publication, rollback or mode recorded on any node: the owner places it in the journal
    const placeSubject = nats.names.placeSubject;
    stopPolicyNotices = onChangeAnnounced(nats, placeSubject, () => runners.forEach((x) => x.controlChanged()));
    const recorded = (): void => {
      runners.forEach((x) => x.controlChanged());
      announceChange(n, placeSubject);
    };
    const life = new ClusterPolicyLifecycle(policyStore, stores.audit, policies.cache, {
      engine: () => r.currentEngine(),
      lists,
      changed: recorded,
      placeFailure: () => r.status().placeFailure,
    });
    const accounts = clusterAccountService(
      accountStore,
      stores.audit,
      projection,
      { of: (id) => partitionOf(id, partitions), engine: (p) => runners[p].currentEngine(), appliedSeq: (p) => runners[p].status().seq },
      recorded,
    );
    const router = new Router([
      whoAmIRoute,
      ...auditRoutes(stores.audit),
      ...clusterLists.routes,
      ...keyRoutes(clusterKeyChanges(stores)),
      ...policyRoutes(life),
      ...accountRoutes(accounts),
      ...merchantRoutes({
        engine: () => r.currentEngine(),
        actions: new ClusterMerchantActions(merchantStore, stores.audit, () => r.currentEngine(), () => r.status().seq, recorded),
        // no case service on a node yet: no open cases; payment places from the projection
        openCases: () => [],
        places: async (id) => placesOf(r.currentEngine(), (await projection.merchantPayments(id, partitions === 1 ? 0 : null, PLACE_PAYMENTS)).map((x) => x.event)),
      }),
      ...modeRoutes({
        list: () => life.modes(),
        get: (name) => life.mode(name),
        propose: (name, body, actor) => life.proposeMode(name, body, actor),
        validate: (name, body) => life.validateMode(name, body),
        approve: (name, actor) => life.approveMode(name, actor),
        reject: (name, body, actor) => life.rejectMode(name, body, actor),
        delete: (name, actor) => life.deleteMode(name, actor),
        switch: (name, on, actor) => life.switchMode(name, on, actor),
      }),
    ]);
    const auth = new Authenticator(stores.keys, undefined, opts.badKeyLimits);
    let closing = false;
    registerNodeMetrics(metrics, runners, projector, forwarder);
    const handler = createHandler({
      service: decider,
      auth,
      metrics,
      router,
      validator: new RequestValidator(router.routes),
      openapi: JSON.stringify(openApiDocument(packageVersion(), router.routes)),
      console: new ConsoleFiles(opts.consoleDir ?? join(PACKAGE_ROOT, 'dist', 'console')),
      closing: () => closing,
      maxEventLeadMs: opts.maxEventLeadMs ?? DEFAULT_MAX_EVENT_LEAD_MS,
      health: () => {
        const status = closing ? 'shutting_down' : 'ok';
        return { ok: status === 'ok', body: { status, node: nodeId, cluster: clusterName, policy: decidingPolicy().name, partitions: runners.map((x) => x.status()) } };
      },
    });
    // follow the journal after the replica, and try for the lease: a node answers once it can follow or own
    // this node counted among the alive before it takes anything: partitions spread from the start
    balancer = new Balancer(await announcePresence(n, nodeId), runners, Math.max(250, Math.floor(n.ownerTtlMs / 3)), log);
    balance.b = balancer;
    await balancer.start();
    for (const x of runners) x.run();
    http = await listenHttp(handler, opts.port ?? 8080, opts.host ?? '127.0.0.1', opts.tls);
    const h = http;
    const s = stores;
    const p = projector;
    const f = forwarder;
    const cl = clusterLists;
    const b = balancer;
    let closed: Promise<void> | null = null;
    return {
      url: h.url,
      port: h.port,
      nodeId,
      cluster: clusterName,
      policy: () => decidingPolicy().name,
      routes: [...BUILTIN_ROUTES, ...router.routes.map(accessOf)],
      partitions: () => runners.map((x) => x.status()),
      close() {
        closed ??= (async () => {
          closing = true;
          // answers waiting for the journal go out before connections are cut; then the lease is released
          await h.close(opts.drainMs ?? 10_000, async () => {
            await Promise.all(runners.map((x) => x.service?.flushed()));
          });
          stopPolicyNotices?.();
          await b?.stop();
          await Promise.all(runners.map((x) => x.stop()));
          await Promise.all(inboxes.map((x) => x?.close()));
          f.close();
          await cl.close();
          await p.stop();
          await n.close();
          await s.close();
        })();
        return closed;
      },
    };
  } catch (e) {
    stopPolicyNotices?.();
    await http?.close(0).catch(() => undefined);
    await balancer?.stop().catch(() => undefined);
    await Promise.all(runners.map((x) => x.stop().catch(() => undefined)));
    await Promise.all(inboxes.map((x) => x?.close().catch(() => undefined)));
    forwarder?.close();
    await clusterLists?.close().catch(() => undefined);
    await projector?.stop().catch(() => undefined);
    await nats?.close().catch(() => undefined);
    await stores?.close().catch(() => undefined);
    throw e;
  }
}

/** Where the partitions stand and how far the projection is behind, for /metrics. */
function registerNodeMetrics(m: ServerMetrics, runners: readonly PartitionRunner[], p: Projector, f: Forwarder): void {
  const roles = ['following', 'taking-over', 'owning', 'stopped'] as const;
  const all = (): PartitionStatus[] => runners.map((r) => r.status());
  m.family('fengkong_partition_role', 'Partitions on this node by role.', 'gauge', 'role', () => {
    const now = all();
    return roles.map((x) => [x, now.filter((s) => s.role === x).length]);
  });
  m.family('fengkong_journal_last_seq', 'Sequence number of the last journal entry this node applied, per partition.', 'gauge', 'partition', () => all().map((s) => [String(s.partition), s.seq]));
  m.family('fengkong_partition_waiting_messages', 'Other partitions\' messages a follower holds until its partition\'s next entry, per partition.', 'gauge', 'partition', () => all().map((s) => [String(s.partition), s.waitingMessages]));
  m.gauge('fengkong_partition_takeovers', 'Times this node took a partition over.', () => all().reduce((n, s) => n + s.takeovers, 0));
  m.gauge('fengkong_partition_last_takeover_seconds', 'How long the longest of the last takeovers took, from the lease to answering.', () => Math.max(0, ...all().map((s) => s.lastTakeoverMs ?? 0)) / 1000);
  m.gauge('fengkong_projector_entries', 'Journal entries this node projected into PostgreSQL.', () => p.progress().entries);
  m.gauge('fengkong_projector_failures', 'Projector batches refused or messages not decoded (each retried).', () => p.progress().failures);
  m.family('fengkong_forwarded_total', 'Requests this node forwarded to a partition owner, and the NATS messages and no-owner retries that carried them.', 'counter', 'what', () => [
    ['requests', f.stats.requests],
    ['messages', f.stats.messages],
    ['no_owner_retries', f.stats.noOwnerRetries],
  ]);
}
