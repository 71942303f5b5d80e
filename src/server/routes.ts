/**
 * The route registry for everything beyond the decision hot path: policies, lists, audit, cases,
 * accounts, reports. A feature area is a ServerModule — its routes, each declaring method, path
 * pattern, the permission it needs and its body limits — so app.ts does auth, body reading,
 * errors and metrics once for all of them, and the OpenAPI document lists them from the same
 * declarations. Decisions and events stay hand-routed in app.ts: they are the hot path.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import type { TxIndex } from '../accounts/tx-index.js';
import type { CaseOpener } from '../cases/types.js';
import type { Engine } from '../engine/engine.js';
import type { ListSet } from '../lists/list-set.js';
import type { AuditLog } from '../audit/log.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Permission, Principal } from './auth.js';
import type { BodyLimits } from './body.js';
import type { ServerMetrics } from './metrics.js';
import type { DecisionService } from './service.js';
import type { DispatcherOptions } from '../webhooks/dispatcher.js';
import type { FeedConsumer, FindingListener } from '../detectors/types.js';
import type { RaisedAlert } from '../alerts/monitor.js';
import type { SchedulerOptions } from './routes/schedules.js';
import type { Job } from '../schedules/scheduler.js';

/** HTTP methods a module route may use. */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route, as the route × role table (docs/security.md) and the access test read it:
 * the permissions of which a key needs one (none: no key at all), and what the handler checks
 * further (one action of several, one event type of several).
 */
export interface RouteAccess {
  readonly method: string;
  readonly path: string;
  readonly permissions: readonly Permission[];
  readonly note?: string;
}

/** A module route as a RouteAccess. */
export function accessOf(r: Route): RouteAccess {
  return { method: r.method, path: r.path, permissions: [r.permission], ...(r.note !== undefined ? { note: r.note } : {}) };
}

/** What a route handler receives: the caller, the path parameters, the query, the parsed body. */
export interface ApiRequest {
  readonly principal: Principal;
  /** `{name}` segments of the path pattern, URI-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body for routes that declare `body`; undefined otherwise. */
  readonly body: unknown;
  /** The request headers (lower-case names), e.g. for content negotiation. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * A handler's answer: JSON-serialised `body` with `status` (default 200) — or, with `text`, that text
 * as is under `contentType` (an HTML report), `body` then ignored.
 */
export interface ApiReply {
  readonly status?: number;
  readonly body?: unknown;
  readonly text?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One route of a module. Handlers throw FengkongErrors for refusals (see toApiError). */
export interface Route {
  readonly method: RouteMethod;
  /** Path pattern with `{param}` segments, e.g. `/v1/lists/{name}/entries`. */
  readonly path: string;
  readonly permission: Permission;
  /** What the handler checks beyond `permission` (one action of several needs more), for the route × role table. */
  readonly note?: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  readonly description?: string;
  /** Set for routes that read a JSON body. */
  readonly body?: BodyLimits;
  /** With `body`: a request without one (no Content-Type, no bytes) is accepted; the handler gets undefined. */
  readonly bodyOptional?: boolean;
  /**
   * The body's schema, required with `body` (src/server/schemas/): the server refuses a body it does
   * not accept before the handler runs, and the OpenAPI document shows this same object, so the two
   * cannot drift. The handler's own checks stay for what a schema cannot say (state, cross-field rules).
   */
  readonly bodySchema?: TSchema;
  /**
   * The query parameters' schema (each value read from text), checked before the handler like the
   * body and listed as the operation's parameters in the OpenAPI document.
   */
  readonly querySchema?: TObject;
  /**
   * The schema of the 200 answer's body, when a client is built against it (the console's routes):
   * shown in the OpenAPI document; tests check real answers against it. Not checked at run time.
   */
  readonly responseSchema?: TSchema;
  handle(req: ApiRequest): ApiReply | Promise<ApiReply>;
}

/** The running server's parts a module may use. */
export interface ServerParts {
  readonly engine: Engine;
  /** The lists the engine decides with (the same object); changed only through the lists module. */
  readonly lists: ListSet;
  readonly store: SqliteStore;
  readonly audit: AuditLog<'sync'>;
  readonly service: DecisionService;
  readonly metrics: ServerMetrics;
  readonly dataDir: string;
  /** Opens cases (or joins the open one of the same subject and issue): appeals, detectors, analysts. */
  readonly cases: CaseOpener;
  /**
   * The payment index by account and by merchant code (one worker for the data folder), shared by the
   * account views and the merchant page's payment places; the server closes it after the modules.
   */
  readonly txIndex: TxIndex;
  /**
   * Consumers of the journal feed from modules other than cases (the alert monitor): a module built
   * before the cases module pushes here, and the cases module starts the feed with them.
   */
  readonly feedConsumers?: FeedConsumer[];
  /**
   * Hooks one module offers the others, filled as the modules are built and called later (at run
   * time): the alerts module's way to raise an alert, the merchants module's way to act on a
   * detector's finding (the cases module starts the detectors before the merchants module exists),
   * the modes module's way to switch on the modes an alert calls for, and the scheduled jobs other
   * modules add (the schedules module, built after them, runs them).
   */
  readonly automation?: { raiseAlert?: (a: RaisedAlert) => void; onFinding?: FindingListener; switchOnAlert?: (metric: string) => string[]; jobs?: Job[] };
  /** The scheduler's clock and tick (tests run a week in a second); the wall clock and 30 s when absent. */
  readonly schedules?: SchedulerOptions;
  /** The webhook dispatcher's pacing (tests shorten it); DISPATCHER_DEFAULTS when absent. */
  readonly webhooks?: Partial<DispatcherOptions>;
}

/** A feature area of the API: its routes and, when it runs background work, how to stop it. */
export interface ServerModule {
  readonly routes: readonly Route[];
  /** Called on graceful shutdown, before the store closes. */
  close?(): void | Promise<void>;
}

/** Builds a module for a starting server. */
export type ModuleFactory = (parts: ServerParts) => ServerModule;

/** A route found for a request, with its decoded path parameters. */
export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

interface Compiled {
  readonly route: Route;
  readonly segments: readonly string[];
  /** Per segment, the parameter name, or null for a literal segment. */
  readonly names: readonly (string | null)[];
}

/** Matches request paths against the registered patterns. */
export class Router {
  private readonly compiled: Compiled[];

  constructor(readonly routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const segments = route.path.split('/');
      const names = segments.map((s) => (s.startsWith('{') && s.endsWith('}') ? s.slice(1, -1) : null));
      return { route, segments, names };
    });
  }

  /**
   * The route for `method` and `path`; `{allow}` when the path exists under other methods only;
   * null when no pattern matches. A parameter that does not URI-decode matches nothing.
   */
  match(method: string, path: string): RouteMatch | { allow: string } | null {
    const parts = path.split('/');
    const allow: string[] = [];
    for (const c of this.compiled) {
      const params = matchSegments(c, parts);
      if (params === null) continue;
      if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET')) return { route: c.route, params };
      allow.push(c.route.method);
    }
    return allow.length > 0 ? { allow: [...new Set(allow)].join(', ') } : null;
  }
}

function matchSegments(c: Compiled, parts: readonly string[]): Record<string, string> | null {
  if (parts.length !== c.segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const name = c.names[i];
    if (name === null) {
      if (parts[i] !== c.segments[i]) return null;
      continue;
    }
    if (parts[i] === '') return null;
    try {
      params[name] = decodeURIComponent(parts[i]);
    } catch {
      return null;
    }
  }
  return params;
}
