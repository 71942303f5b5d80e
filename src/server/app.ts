/**
 * The HTTP routes of the API on plain node:http (no framework, so the hot path is ours): routing,
 * auth, body reading, validation, and the answer with its metrics. Every refusal is an ApiError
 * turned into `{"error":{...}}`; nothing a client sends can stop the server from answering the next.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FkEvent, TransactionEvent } from '../contract/events.js';
import { parseEvent } from '../contract/parse.js';
import { ContractError } from '../errors.js';
import { allows, EVENT_PERMISSION, forbidden, type Authenticator, type Permission, type Principal } from './auth.js';
import { readJsonBody, type BodyLimits } from './body.js';
import { ConsoleFiles } from './console-static.js';
import { ApiError, invalidEvent, toApiError } from './errors.js';
import type { ServerMetrics } from './metrics.js';
import type { ApiReply, Route, RouteAccess, Router } from './routes.js';
import type { RequestValidator } from './schemas/validator.js';
import type { Decider } from './decider.js';
import type { CardIndex } from './card-index.js';

/** A decision body: one transaction, a few hundred bytes; 64 KiB is generous. */
export const DECISION_LIMITS: BodyLimits = { maxBytes: 64 * 1024, maxDepth: 32 };
/** An events body: up to a few thousand reference events. */
export const EVENTS_LIMITS: BodyLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  // a batch is applied and journaled in one step between decisions: bulk loads go in several
  tooLargeHint: 'send a bulk load as several arrays of a few thousand events each',
};

/**
 * The routes app.ts answers itself (the hot path, health, metrics, the OpenAPI document, the console's
 * files), described as the module routes are, for the route × role table (docs/security.md) and the
 * test that tries every route with every role. Kept beside the code that checks them.
 */
export const BUILTIN_ROUTES: readonly RouteAccess[] = [
  { method: 'POST', path: '/v1/decisions', permissions: ['decide'] },
  {
    method: 'POST',
    path: '/v1/events',
    permissions: ['decide', 'ingest'],
    note: 'per event type: merchant, terminal, acquirer need `decide`; account, account_event, label need `ingest`',
  },
  { method: 'GET', path: '/v1/decisions/{txId}', permissions: ['read'] },
  { method: 'GET', path: '/healthz', permissions: [] },
  { method: 'GET', path: '/metrics', permissions: ['metrics'] },
  { method: 'GET', path: '/v1/openapi.json', permissions: ['docs'] },
  { method: 'GET', path: '/console/', permissions: [], note: 'the console\'s static files; every API call it makes needs a key' },
];

/** What the routes need from the running server. */
export interface AppContext {
  /** Decides, applies events and finds decisions: the DecisionService, or a cluster node's router. */
  readonly service: Decider;
  /**
   * The card index: an `account` event's `cardNumber` is swapped for its keyed token before it is
   * applied or journaled. Without one (a cluster node, for now) such an event is refused.
   */
  readonly cards?: CardIndex;
  readonly auth: Authenticator;
  readonly metrics: ServerMetrics;
  /** Routes of the feature modules (policies, lists, audit, …), tried after the built-in ones. */
  readonly router: Router;
  /** The module routes' body and query schemas, compiled at start; checked before each handler. */
  readonly validator: RequestValidator;
  /** The OpenAPI document, serialized once. */
  readonly openapi: string;
  /** The analyst console's files, served under /console/ without a key. */
  readonly console: ConsoleFiles;
  /**
   * Health for /healthz: 200 when ok, 503 otherwise. Anyone gets `{"ok":…}`; a caller with a valid
   * key (any role) also gets `body` (status, policy, journal position).
   */
  health(): { ok: boolean; body: Record<string, unknown> };
  /** True once shutdown began: answers say `Connection: close`, new work is refused. */
  closing(): boolean;
  /**
   * How far (ms) an event's `ts` may be ahead of this machine's clock. Beyond it the event is refused:
   * a payment dated tomorrow is a till with a wrong clock or a forgery, never a payment happening now.
   */
  readonly maxEventLeadMs: number;
}

/** The refusal of an event dated too far ahead of the server's clock (`path` is its ts field). */
function eventTimeAhead(path: string, ts: string, leadMs: number): ApiError {
  return new ApiError(
    'event_time_ahead',
    `${path} ${ts} is more than ${Math.round(leadMs / 1000)} s ahead of this server's clock; ` +
      "send the time the event happened (check the till's or switch's clock); events from the past are accepted",
    { path, expected: `a time at most ${Math.round(leadMs / 1000)} s after now` },
  );
}

/** A request handler for http.createServer. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const JSON_TYPE = 'application/json';
/** Reads may be cached by nothing in between: a decision is private to the caller. */
const NO_STORE = { 'cache-control': 'no-store' };

/** Builds the request handler of the API. */
export function createHandler(ctx: AppContext): Handler {
  const { service, auth, metrics, router, validator } = ctx;

  function send(
    res: ServerResponse,
    route: string,
    started: number,
    status: number,
    body: string,
    headers: Record<string, string> = {},
    type = JSON_TYPE,
  ): void {
    if (res.headersSent || res.destroyed) return;
    const h: Record<string, string | number> = { 'content-type': type, 'content-length': Buffer.byteLength(body) };
    for (const k in headers) h[k] = headers[k];
    if (ctx.closing()) h.connection = 'close';
    res.writeHead(status, h);
    res.end(body);
    metrics.request(route, status, (performance.now() - started) / 1000);
  }

  function fail(res: ServerResponse, route: string, started: number, e: ApiError): void {
    send(res, route, started, e.status, e.toJson(), e.headers);
  }

  /**
   * Refuses a request whose body was not read. Node would read and discard that body to keep the
   * connection alive (however large it is); closing the connection instead costs a reconnect.
   */
  function refuse(req: IncomingMessage, res: ServerResponse, route: string, started: number, e: ApiError): void {
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
    send(res, route, started, e.status, e.toJson(), hasBody ? { ...e.headers, connection: 'close' } : e.headers);
  }

  function internal(req: IncomingMessage, res: ServerResponse, route: string, started: number, e: unknown): void {
    process.stderr.write(`fengkong serve: internal error on ${req.method} ${req.url}: ${(e as Error).stack ?? e}\n`);
    fail(res, route, started, new ApiError('internal', 'internal error'));
  }

  /**
   * The auth check shared by every keyed route (key, rate limit, permission; null `need`: any valid
   * key), before any body is read; the caller, or null when already answered. A promise only when the
   * key store answers later (never with SQLite, so the decision path takes no await); a failed lookup
   * is answered 500 and settles to null.
   */
  function admit(req: IncomingMessage, res: ServerResponse, route: string, started: number, need: Permission | null): Principal | null | Promise<Principal | null> {
    const who = auth.check(req.headers.authorization, need, req.socket.remoteAddress);
    if (who instanceof Promise) {
      return who.then(
        (w) => admitted(req, res, route, started, w),
        (e: unknown) => {
          internal(req, res, route, started, e);
          return null;
        },
      );
    }
    return admitted(req, res, route, started, who);
  }

  function admitted(req: IncomingMessage, res: ServerResponse, route: string, started: number, who: Principal | ApiError): Principal | null {
    if (who instanceof ApiError) {
      refuse(req, res, route, started, who);
      return null;
    }
    return who;
  }

  /**
   * Runs `next` with the caller once admitted: at once when admit answered at once, after the key
   * lookup otherwise (`next` throwing is answered 500, as a synchronous route's would be).
   */
  function admitThen(req: IncomingMessage, res: ServerResponse, route: string, started: number, need: Permission | null, next: (p: Principal) => void): void {
    const who = admit(req, res, route, started, need);
    if (who === null) return;
    if (!(who instanceof Promise)) return next(who);
    void who.then((p) => {
      if (p === null) return;
      try {
        next(p);
      } catch (e) {
        internal(req, res, route, started, e);
      }
    });
  }

  /**
   * A module route: auth, shutdown, body, the query's and the body's schemas, then the handler;
   * refusals it throws become 4xx answers.
   */
  function moduleRoute(req: IncomingMessage, res: ServerResponse, started: number, r: Route, params: Record<string, string>, query: string): void {
    const name = `${r.method} ${r.path}`;
    admitThen(req, res, name, started, r.permission, (principal) => moduleAdmitted(req, res, started, r, params, query, principal));
  }

  function moduleAdmitted(req: IncomingMessage, res: ServerResponse, started: number, r: Route, params: Record<string, string>, query: string, principal: Principal): void {
    const name = `${r.method} ${r.path}`;
    if (r.method !== 'GET' && ctx.closing()) return refuse(req, res, name, started, shuttingDown());
    const run = (body: unknown, hasBody: boolean): void => {
      const q = new URLSearchParams(query);
      const invalid = validator.query(r, q) ?? (hasBody ? validator.body(r, body) : null);
      if (invalid !== null) return fail(res, name, started, invalid);
      let reply: ApiReply | Promise<ApiReply>;
      try {
        reply = r.handle({ principal, params, query: q, body, headers: req.headers });
      } catch (e) {
        return answerError(req, res, name, started, e);
      }
      if (reply instanceof Promise) {
        reply.then(
          (ok) => answer(res, name, started, ok),
          (e: unknown) => answerError(req, res, name, started, e),
        );
      } else {
        answer(res, name, started, reply);
      }
    };
    if (r.body === undefined || (r.bodyOptional === true && !hasBody(req))) return run(undefined, false);
    readJsonBody(req, r.body, (err, value) => {
      if (err !== null) return fail(res, name, started, err);
      run(value, true);
    });
  }

  function answer(res: ServerResponse, route: string, started: number, reply: ApiReply): void {
    const headers = { ...NO_STORE, ...reply.headers };
    if (reply.text !== undefined) {
      send(res, route, started, reply.status ?? 200, reply.text, headers, reply.contentType ?? 'text/plain; charset=utf-8');
    } else {
      send(res, route, started, reply.status ?? 200, JSON.stringify(reply.body ?? null), headers);
    }
  }

  function answerError(req: IncomingMessage, res: ServerResponse, route: string, started: number, e: unknown): void {
    const api = toApiError(e);
    if (api === null) return internal(req, res, route, started, e);
    fail(res, route, started, api);
  }

  function postDecision(req: IncomingMessage, res: ServerResponse, started: number): void {
    const route = 'POST /v1/decisions';
    // no closure here: with SQLite admit answers at once and the decision path stays as it was
    const who = admit(req, res, route, started, 'decide');
    if (who === null) return;
    if (who instanceof Promise) {
      void who.then((p) => {
        if (p !== null) decisionAdmitted(req, res, started);
      });
      return;
    }
    decisionAdmitted(req, res, started);
  }

  function decisionAdmitted(req: IncomingMessage, res: ServerResponse, started: number): void {
    const route = 'POST /v1/decisions';
    if (ctx.closing()) return refuse(req, res, route, started, shuttingDown());
    readJsonBody(req, DECISION_LIMITS, (err, value) => {
      try {
        decideBody(res, started, err, value);
      } catch (e) {
        internal(req, res, route, started, e);
      }
    });
  }

  function decideBody(res: ServerResponse, started: number, err: ApiError | null, value: unknown): void {
    const route = 'POST /v1/decisions';
    if (err !== null) return fail(res, route, started, err);
    let tx: TransactionEvent;
    try {
      // The hot path keeps the hand-written contract parser, not a request schema as the other routes
      // have: it must run anyway (it normalises: `t` from `ts`, defaults, a fresh object with only the
      // contract's fields), so a schema validator in front of it is pure extra cost. bench/contract-vs-ajv.ts,
      // a typical payment, node 20 on this shared 2-core machine, medians of three runs: parser ~470 ns;
      // ajv on the documented Transaction schema ~265 ns, but yes/no only (it checks less, parses no
      // timestamp, builds nothing); ajv + the timestamp parse ~375 ns before any event is built; ajv then
      // the parser ~830 ns (+75%). JSON.parse of the same body takes ~1.5 µs. schemas/events.ts documents
      // what this parser accepts, and test/server/openapi-agreement.test.ts holds the two together.
      const ev = parseEvent(value);
      if (ev.type !== 'transaction') {
        return fail(res, route, started, wrongType('type', '"transaction" (post other events to /v1/events)'));
      }
      tx = ev;
      if (tx.t > Date.now() + ctx.maxEventLeadMs) return fail(res, route, started, eventTimeAhead('ts', tx.ts, ctx.maxEventLeadMs));
    } catch (e) {
      if (!(e instanceof ContractError)) throw e;
      return fail(res, route, started, invalidEvent(e));
    }
    service.decide(tx, started, (err2, body, replayed) => {
      if (err2 !== null) return fail(res, route, started, err2);
      send(res, route, started, 200, body, replayed ? { 'fengkong-replayed': 'true' } : {});
    });
  }

  function postEvents(req: IncomingMessage, res: ServerResponse, started: number): void {
    const route = 'POST /v1/events';
    admitThen(req, res, route, started, null, (principal) => eventsAdmitted(req, res, started, principal));
  }

  function eventsAdmitted(req: IncomingMessage, res: ServerResponse, started: number, principal: Principal): void {
    const route = 'POST /v1/events';
    // a key that may post no event type at all is refused before its body is read
    if (!allows(principal.role, 'decide') && !allows(principal.role, 'ingest')) {
      return refuse(
        req,
        res,
        route,
        started,
        new ApiError('forbidden', `role "${principal.role}" may not post events: it needs the permission "decide" (merchants, terminals, acquirers) or "ingest" (accounts, account events, labels)`),
      );
    }
    if (ctx.closing()) return refuse(req, res, route, started, shuttingDown());
    readJsonBody(req, EVENTS_LIMITS, (err, value) => {
      try {
        eventsBody(res, started, principal, err, value);
      } catch (e) {
        internal(req, res, route, started, e);
      }
    });
  }

  function eventsBody(res: ServerResponse, started: number, principal: Principal, err: ApiError | null, value: unknown): void {
    const route = 'POST /v1/events';
    if (err !== null) return fail(res, route, started, err);
    const many = Array.isArray(value);
    const items: unknown[] = many ? (value as unknown[]) : [value];
    if (items.length === 0) return fail(res, route, started, wrongType('', 'one event or a non-empty array of events'));
    const events: FkEvent[] = [];
    for (let i = 0; i < items.length; i++) {
      const prefix = many ? `[${i}]` : '';
      try {
        let ev = parseEvent(items[i]);
        if (ev.type === 'account' && ev.cardNumber !== undefined) {
          const where = prefix ? `${prefix}.cardNumber` : 'cardNumber';
          if (ctx.cards === undefined) return fail(res, route, started, wrongType(where, 'no cardNumber: this server keeps no card index (a cluster node); register cards on an embedded server'));
          ev = ctx.cards.sealEvent(ev);
        }
        if (ev.type === 'transaction') {
          const where = prefix ? `${prefix}.type` : 'type';
          return fail(res, route, started, wrongType(where, 'an event other than "transaction" (post payments to /v1/decisions)'));
        }
        if (ev.t > Date.now() + ctx.maxEventLeadMs) return fail(res, route, started, eventTimeAhead(prefix ? `${prefix}.ts` : 'ts', ev.ts, ctx.maxEventLeadMs));
        const need = EVENT_PERMISSION[ev.type];
        if (!allows(principal.role, need)) {
          // all or nothing: one event the key may not post refuses the whole batch
          const where = prefix ? `${prefix}.type` : 'type';
          return fail(res, route, started, forbidden(principal.role, need, `post "${ev.type}" events (${where})`));
        }
        events.push(ev);
      } catch (e) {
        if (!(e instanceof ContractError)) throw e;
        return fail(res, route, started, invalidEvent(e, prefix));
      }
    }
    ctx.cards?.learn(events);
    service.accept(events, (err2, accepted) => {
      if (err2 !== null) return fail(res, route, started, err2);
      send(res, route, started, 202, JSON.stringify({ accepted }));
    });
  }

  function getDecision(req: IncomingMessage, res: ServerResponse, started: number, rawId: string): void {
    const route = 'GET /v1/decisions/{txId}';
    admitThen(req, res, route, started, 'read', () => findDecision(res, started, rawId));
  }

  function findDecision(res: ServerResponse, started: number, rawId: string): void {
    const route = 'GET /v1/decisions/{txId}';
    let txId: string;
    try {
      txId = decodeURIComponent(rawId);
    } catch {
      return fail(res, route, started, new ApiError('not_found', 'no decision for a malformed transaction id'));
    }
    service.find(txId, (err, body) => {
      if (err !== null) return fail(res, route, started, err);
      if (body === null) {
        return fail(res, route, started, new ApiError('not_found', `no decision was made for transaction ${JSON.stringify(txId)}`));
      }
      send(res, route, started, 200, body, NO_STORE);
    });
  }

  function route(req: IncomingMessage, res: ServerResponse, started: number): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const isGet = method === 'GET' || method === 'HEAD';
    if (path === '/v1/decisions') {
      if (method === 'POST') return postDecision(req, res, started);
      return notAllowed(req, res, 'POST /v1/decisions', started, 'POST');
    }
    if (path.startsWith('/v1/decisions/') && path.length > '/v1/decisions/'.length) {
      if (isGet) return getDecision(req, res, started, path.slice('/v1/decisions/'.length));
      return notAllowed(req, res, 'GET /v1/decisions/{txId}', started, 'GET, HEAD');
    }
    if (path === '/v1/events') {
      if (method === 'POST') return postEvents(req, res, started);
      return notAllowed(req, res, 'POST /v1/events', started, 'POST');
    }
    if (path === '/healthz') {
      if (!isGet) return notAllowed(req, res, 'GET /healthz', started, 'GET, HEAD');
      const h = ctx.health();
      // without a valid key, only whether it is up: the journal position and the policy are internals
      const who = req.headers.authorization === undefined ? null : auth.check(req.headers.authorization, 'self');
      const answerHealth = (w: Principal | ApiError | null): void => {
        const body = w === null || w instanceof ApiError ? { ok: h.ok } : { ok: h.ok, ...h.body };
        send(res, 'GET /healthz', started, h.ok ? 200 : 503, JSON.stringify(body), NO_STORE);
      };
      // a key store that cannot answer makes the caller anonymous: health is answered regardless
      if (who instanceof Promise) return void who.then(answerHealth, () => answerHealth(null));
      return answerHealth(who);
    }
    if (path === '/metrics') {
      if (!isGet) return notAllowed(req, res, 'GET /metrics', started, 'GET, HEAD');
      return admitThen(req, res, 'GET /metrics', started, 'metrics', () =>
        send(res, 'GET /metrics', started, 200, metrics.render(), NO_STORE, 'text/plain; version=0.0.4; charset=utf-8'),
      );
    }
    if (path === '/v1/openapi.json') {
      if (!isGet) return notAllowed(req, res, 'GET /v1/openapi.json', started, 'GET, HEAD');
      return admitThen(req, res, 'GET /v1/openapi.json', started, 'docs', () => send(res, 'GET /v1/openapi.json', started, 200, ctx.openapi));
    }
    // after the payment routes (they pay nothing for it), before the modules' pattern matching
    if (ConsoleFiles.matches(path)) return serveConsole(req, res, started, method, path);
    const m = router.match(method, path);
    if (m !== null && 'route' in m) return moduleRoute(req, res, started, m.route, m.params, q < 0 ? '' : url.slice(q + 1));
    if (m !== null) return notAllowed(req, res, 'other', started, m.allow);
    refuse(req, res, 'other', started, new ApiError('not_found', `no route ${method} ${path.slice(0, 200)}`));
  }

  /** A console file (console-static.ts decides what); one route name in the metrics for all of them. */
  function serveConsole(req: IncomingMessage, res: ServerResponse, started: number, method: string, path: string): void {
    const a = ctx.console.answer(method, path, firstHeader(req.headers['if-none-match']));
    if (res.headersSent || res.destroyed) return;
    const h: Record<string, string | number> = { ...a.headers };
    if (a.status !== 304) h['content-length'] = a.body.length;
    if (ctx.closing() || (a.status === 405 && hasBody(req))) h.connection = 'close';
    res.writeHead(a.status, h);
    if (method === 'HEAD' || a.status === 304) res.end();
    else res.end(a.body);
    metrics.request('GET /console', a.status, (performance.now() - started) / 1000);
  }

  function notAllowed(req: IncomingMessage, res: ServerResponse, route: string, started: number, allow: string): void {
    refuse(req, res, route, started, new ApiError('method_not_allowed', `${req.method} is not allowed here; use ${allow}`, { headers: { allow } }));
  }

  return (req, res) => {
    const started = performance.now();
    try {
      route(req, res, started);
    } catch (e) {
      internal(req, res, 'other', started, e);
    }
  };
}

function shuttingDown(): ApiError {
  return new ApiError('shutting_down', 'the server is shutting down; retry on another instance', {
    headers: { 'retry-after': '1' },
  });
}

function wrongType(path: string, expected: string): ApiError {
  return new ApiError('invalid_event', path ? `${path}: expected ${expected}` : `expected ${expected}`, { path, expected });
}

/** A header's value, the first one when it was sent several times. */
function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** True when a request announces a body: a Content-Type, a non-zero Content-Length or chunked transfer. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['content-type'] !== undefined || req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
