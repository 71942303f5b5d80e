/**
 * The OpenAPI 3.1 document the server serves at /v1/openapi.json: every route, its roles, bodies,
 * parameters, answers and error codes. Request bodies and query parameters are the very schema
 * objects the server validates with (src/server/schemas/), so the document cannot promise what the
 * server refuses or the reverse; the event and decision schemas describe the contract parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { PACKAGE_ROOT } from '../engine/policy-source.js';
import { MAX_ID_LENGTH } from '../contract/fields.js';
import { rolesFor, type Permission } from './auth.js';
import type { Route } from './routes.js';
import { ErrorBody } from './schemas/errors.js';
import { Decision, Geo, OTHER_EVENTS, OtherEvent, Transaction } from './schemas/events.js';

type Json = { [k: string]: unknown };

const id = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH };

const schemas: Record<string, TSchema> = { Geo, Transaction, ...OTHER_EVENTS, OtherEvent, Decision, Error: ErrorBody };

const STATUS_WORDS: Record<number, string> = {
  400: 'refused: error.path names the field or parameter, error.expected what it must be',
  401: 'no valid API key',
  403: 'the key\'s role may not do this',
  404: 'not found',
  409: 'conflicts with the current state',
  413: 'body too large',
  415: 'body is not application/json',
  429: 'over the key\'s rate limit (rate_limited), or too many unknown keys from this address (too_many_bad_keys); retry after the Retry-After header\'s seconds',
  503: 'journal unavailable or shutting down',
};

function errors(...statuses: number[]): Json {
  const out: Json = {};
  for (const s of statuses) {
    out[String(s)] = {
      description: `${STATUS_WORDS[s] ?? 'error'} (see error.code)`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

function roles(p: Permission, note?: string): string {
  return `Permission \`${p}\`; roles: ${rolesFor(p).join(', ')}.${note === undefined ? '' : ` ${note[0].toUpperCase()}${note.slice(1)}.`}`;
}

const json = (ref: string): Json => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });

/** The query parameters of a route, from its query schema: one parameter per property. */
function queryParameters(r: Route): Json[] {
  const q = r.querySchema;
  if (q === undefined) return [];
  const required = new Set(q.required ?? []);
  return Object.entries(q.properties).map(([name, schema]) => {
    const p: Json = { name, in: 'query', required: required.has(name), schema };
    const description = (schema as { description?: unknown }).description;
    if (typeof description === 'string') p.description = description;
    return p;
  });
}

/** The OpenAPI entries of the module routes, merged by path. */
function modulePaths(routes: readonly Route[]): Json {
  const out: Record<string, Json> = {};
  for (const r of routes) {
    const params: Json[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    params.push(...queryParameters(r));
    const statuses = r.body === undefined ? [400, 401, 403, 404, 409, 429] : [400, 401, 403, 404, 409, 413, 415, 429];
    const op: Json = {
      summary: r.summary,
      description: `${r.description ?? ''} ${roles(r.permission, r.note)}`.trim(),
      responses: { '200': { description: 'success', content: { 'application/json': r.responseSchema === undefined ? {} : { schema: r.responseSchema } } }, ...errors(...statuses) },
    };
    if (params.length > 0) op.parameters = params;
    if (r.bodySchema !== undefined) {
      op.requestBody = { required: r.bodyOptional !== true, content: { 'application/json': { schema: r.bodySchema } } };
    }
    (out[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return out;
}

/** The package's version, for the OpenAPI document every server (embedded or cluster node) serves. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** The document; built once per server. */
export function openApiDocument(version: string, routes: readonly Route[] = []): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fengkong decision API',
      version,
      description:
        'Real-time risk decisions for credit payments at POS terminals. Every answered decision is durable ' +
        'before it is sent. Every 4xx is {"error":{"code","message","path"?}} with a stable code.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key from `fengkong keys create`' } },
      schemas,
    },
    security: [{ bearer: [] }],
    paths: {
      ...modulePaths(routes),
      '/v1/decisions': {
        post: {
          summary: 'Decide one payment',
          description: `Idempotent on the transaction id: a known id returns the stored decision and changes nothing. Body at most 64 KiB. ${roles('decide')}`,
          requestBody: { required: true, content: json('Transaction') },
          responses: { '200': { description: 'the decision', content: json('Decision') }, ...errors(400, 401, 403, 413, 415, 429, 503) },
        },
      },
      '/v1/events': {
        post: {
          summary: 'Apply reference and account events',
          description: `One event or an array of events (not transactions). All or nothing: if any is invalid, none is applied and the error path names its index. Body at most 1 MiB. ${roles('decide')} ${roles('ingest')} Merchant, terminal and acquirer events need \`decide\`; account, account_event and label events need \`ingest\` (403 naming the type otherwise).`,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [{ $ref: '#/components/schemas/OtherEvent' }, { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/OtherEvent' } }] },
              },
            },
          },
          responses: {
            '202': {
              description: 'applied and journaled',
              content: { 'application/json': { schema: { type: 'object', properties: { accepted: { type: 'integer' } } } } },
            },
            ...errors(400, 401, 403, 413, 415, 429, 503),
          },
        },
      },
      '/v1/decisions/{txId}': {
        get: {
          summary: 'The stored decision of a transaction',
          description: roles('read'),
          parameters: [{ name: 'txId', in: 'path', required: true, schema: id }],
          responses: { '200': { description: 'the decision as answered', content: json('Decision') }, ...errors(401, 403, 404, 429) },
        },
      },
      '/v1/openapi.json': {
        get: { summary: 'This document', description: roles('docs'), responses: { '200': { description: 'OpenAPI 3.1' }, ...errors(401, 429) } },
      },
      '/healthz': {
        get: {
          summary: 'Liveness and readiness',
          security: [],
          responses: { '200': { description: 'serving' }, '503': { description: 'journal failed or shutting down' } },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          description: roles('metrics'),
          responses: { '200': { description: 'text exposition format', content: { 'text/plain': {} } }, ...errors(401, 403, 429) },
        },
      },
    },
  };
}
