/**
 * `/v1/policies`: policy versions and their lifecycle — draft (compiled first: 422 with every
 * diagnostic, nothing stored), list, show (files, diff against the parent, compile summary),
 * propose, approve by a second admin key (409 for the proposer's own key), reject, roll back in one
 * call, and the publication history. Reads need `read` (analyst, admin), changes `admin`. The work
 * is PolicyLifecycle's (src/policy/lifecycle.ts); these routes only map HTTP onto it.
 */
import { PolicyLifecycle } from '../../policy/lifecycle.js';
import { bootOf } from '../../policy/boot.js';
import { versionParam } from '../../policy/input.js';
import { POLICY_MAX_PAGE } from '../../policy/versions.js';
import type { Outcome } from '../../policy/live.js';
import type { Page } from '../../policy/versions.js';
import type { ApiReply, ModuleFactory, Route, ServerParts } from '../routes.js';
import { DraftBody, PolicyPageQuery, PublishBody, RejectBody, RollbackBody } from '../schemas/policies.js';
import { pageParams } from './audit.js';

const LIFECYCLES = new WeakMap<object, PolicyLifecycle>();

/**
 * The lifecycle of the server these parts belong to, created once and shared by the policy and
 * mode modules (and a backtest route: `lifecycleFor(parts).backtestInput(version)`).
 */
export function lifecycleFor(parts: ServerParts): PolicyLifecycle {
  let l = LIFECYCLES.get(parts.store);
  if (l === undefined) {
    const boot = bootOf(parts.store);
    if (boot === undefined) throw new Error('the policy store was not booted (startServer calls bootPolicies before the modules)');
    l = new PolicyLifecycle({ store: boot.store, cache: boot.cache, audit: parts.audit, engine: parts.engine, lists: parts.lists, feed: parts.service, journal: parts.store });
    LIFECYCLES.set(parts.store, l);
  }
  return l;
}

/** A draft body: files of up to a few MB of rule text, and optionally a model. */
const DRAFT_BODY = { maxBytes: 32 * 1024 * 1024, maxDepth: 32 };
/** Small bodies: a note, a reason. */
const SMALL_BODY = { maxBytes: 64 * 1024, maxDepth: 8 };

/** A value now, or a promise of it: the embedded lifecycle answers at once, a cluster node's after PostgreSQL. */
export type Maybe<T> = T | Promise<T>;

/** `f(x)`, after `x` settles when it is a promise (a synchronous answer stays synchronous). */
export function thenReply<T>(x: Maybe<T>, f: (v: T) => ApiReply): Maybe<ApiReply> {
  return x instanceof Promise ? x.then(f) : f(x);
}

function reply(o: Maybe<Outcome>): Maybe<ApiReply> {
  return thenReply(o, (v) => ({ status: v.status, body: v.body }));
}

function body(x: Maybe<unknown>): Maybe<ApiReply> {
  return thenReply(x, (b) => ({ body: b }));
}

/**
 * What the policy routes call: PolicyLifecycle on a data folder, ClusterPolicyLifecycle on a cluster
 * node (docs/scale-out.md) — one set of routes, the same checks and answers.
 */
export interface PolicyApi {
  draft(body: unknown, actor: string): Maybe<Outcome>;
  validate(body: unknown): Maybe<Outcome>;
  list(page: Page): Maybe<unknown>;
  live(): Maybe<unknown>;
  publications(page: Page): Maybe<unknown>;
  rollback(body: unknown, actor: string): Maybe<Outcome>;
  show(n: number): Maybe<unknown>;
  propose(n: number, body: unknown, actor: string): Maybe<Outcome>;
  approve(n: number, actor: string): Maybe<Outcome>;
  reject(n: number, body: unknown, actor: string): Maybe<Outcome>;
}

/** The policy version routes. */
export const policiesModule: ModuleFactory = (parts) => {
  const life = lifecycleFor(parts);
  return { close: () => life.close(), routes: policyRoutes(life) };
};

/** The policy version routes over either lifecycle. */
export function policyRoutes(life: PolicyApi): Route[] {
  return [
      {
        method: 'POST',
        path: '/v1/policies',
        permission: 'admin',
        summary: 'Draft a policy version: compiled first (422 with every diagnostic, nothing stored), then stored with its diff',
        description:
          'Body: {parent? (default: the live version), description, files: {name: text} or [{file, text}], model? (a model file; ' +
          'omitted: the parent\'s; null: none)}. 201 with the version, its diff against the parent and its compile summary.',
        body: DRAFT_BODY,
        bodySchema: DraftBody,
        handle: ({ principal, body }) => reply(life.draft(body, principal.keyId)),
      },
      {
        method: 'POST',
        path: '/v1/policies/validate',
        permission: 'admin',
        summary: 'Compile a would-be draft and show its diff and compile summary, storing nothing (422 with every diagnostic)',
        description: 'Body: as POST /v1/policies.',
        body: DRAFT_BODY,
        bodySchema: DraftBody,
        handle: ({ body }) => reply(life.validate(body)),
      },
      {
        method: 'GET',
        path: '/v1/policies',
        permission: 'read',
        summary: 'Policy versions, newest first (paged with before, limit)',
        querySchema: PolicyPageQuery,
        handle({ query }) {
          return body(life.list(pageParams(query, POLICY_MAX_PAGE)));
        },
      },
      {
        method: 'GET',
        path: '/v1/policies/live',
        permission: 'read',
        summary: 'The live version, the policy deciding (with incident overlays), and a publication under way',
        handle: () => body(life.live()),
      },
      {
        method: 'GET',
        path: '/v1/policies/publications',
        permission: 'read',
        summary: 'What was live when: every import, publish and rollback, newest first (paged with before, limit)',
        querySchema: PolicyPageQuery,
        handle({ query }) {
          return body(life.publications(pageParams(query, POLICY_MAX_PAGE)));
        },
      },
      {
        method: 'POST',
        path: '/v1/policies/rollback',
        permission: 'admin',
        summary: 'Roll back to a version that was live before, in one call (default: the one before the live one)',
        description:
          'Body: {version?, reason, warm?}. 200 when live at once; 202 `warming` when its windows must be rebuilt from the journal first ' +
          '(warm: false swaps at once, those windows starting empty).',
        body: SMALL_BODY,
        bodySchema: RollbackBody,
        handle: ({ principal, body }) => reply(life.rollback(body, principal.keyId)),
      },
      {
        method: 'GET',
        path: '/v1/policies/{version}',
        permission: 'read',
        summary: 'One version: files, diff against its parent, compile summary (rules, windows, windows new to the live engine), proposals',
        handle: ({ params }) => body(life.show(versionParam(params.version))),
      },
      {
        method: 'POST',
        path: '/v1/policies/{version}/publish',
        permission: 'admin',
        summary: 'Propose a version for publication; another admin key must approve it',
        description: 'Body: a JSON object {note?} ({} for none).',
        body: SMALL_BODY,
        bodySchema: PublishBody,
        handle: ({ principal, params, body }) => reply(life.propose(versionParam(params.version), body, principal.keyId)),
      },
      {
        method: 'POST',
        path: '/v1/policies/{version}/approve',
        permission: 'admin',
        summary: 'Approve a proposed version with a second admin key, publishing it (409 for the proposer\'s own key)',
        description: '200 `live` when it swapped at once; 202 `warming` when it adds or changes windows (GET /v1/policies/live shows progress).',
        handle: ({ principal, params }) => reply(life.approve(versionParam(params.version), principal.keyId)),
      },
      {
        method: 'POST',
        path: '/v1/policies/{version}/reject',
        permission: 'admin',
        summary: 'Reject (or withdraw) the open proposal of a version',
        description: 'Body: a JSON object {reason?} ({} for none).',
        body: SMALL_BODY,
        bodySchema: RejectBody,
        handle: ({ principal, params, body }) => reply(life.reject(versionParam(params.version), body, principal.keyId)),
      },
  ];
}
