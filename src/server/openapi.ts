/**
 * The OpenAPI 3.1 document the server serves at /v1/openapi.json: every route, its roles, bodies,
 * answers and error codes, written next to the code so a change to one is reviewed with the other.
 */
import { ACCOUNT_EVENT_KINDS, CHANNELS, KYC_LEVELS } from '../contract/events.js';
import { MAX_AMOUNT, MAX_ID_LENGTH } from '../contract/fields.js';
import { OUTCOMES } from '../rules/policy-types.js';
import { rolesFor, type Permission } from './auth.js';
import { API_ERROR_CODES } from './errors.js';
import type { Route } from './routes.js';

type Json = { [k: string]: unknown };

const id = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH };
const ts = {
  type: 'string',
  description: 'ISO 8601 with a UTC offset or Z, e.g. 2026-11-24T21:05:09+08:00',
  examples: ['2026-11-24T21:05:09+08:00'],
};
const money = { type: 'integer', minimum: 1, maximum: MAX_AMOUNT, description: 'minor units (fen)' };
const geo = {
  type: 'object',
  required: ['lat', 'lon'],
  properties: { lat: { type: 'number', minimum: -90, maximum: 90 }, lon: { type: 'number', minimum: -180, maximum: 180 } },
};

function event(type: string, required: string[], properties: Json): Json {
  return {
    type: 'object',
    required: ['type', 'ts', ...required],
    properties: { type: { const: type }, ts, ...properties },
  };
}

const schemas: Json = {
  Geo: geo,
  Transaction: event('transaction', ['id', 'accountId', 'amount', 'merchantId', 'terminalId'], {
    id: { ...id, description: 'the idempotency key' },
    accountId: id,
    amount: money,
    currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'CNY' },
    merchantId: id,
    terminalId: id,
    mcc: { type: 'string', pattern: '^\\d{4}$' },
    acquirerId: id,
    geo: { $ref: '#/components/schemas/Geo' },
    deviceId: id,
    ip: id,
    channel: { enum: CHANNELS },
    merchantName: { type: 'string', maxLength: 256 },
  }),
  Account: event('account', ['accountId', 'creditLimit'], {
    accountId: id,
    creditLimit: { ...money, minimum: 0 },
    home: { $ref: '#/components/schemas/Geo' },
    kyc: { enum: KYC_LEVELS },
    openedAt: ts,
  }),
  AccountEvent: event('account_event', ['accountId', 'kind'], {
    accountId: id,
    kind: { enum: ACCOUNT_EVENT_KINDS },
    deviceId: id,
    ip: id,
    geo: { $ref: '#/components/schemas/Geo' },
    amount: { ...money, description: 'required for kind repayment' },
    creditLimit: { ...money, minimum: 0, description: 'required for kind limit_changed' },
    txId: { ...id, description: 'the payment the event is about (kind challenge_failed: the challenged payment; opens a case)' },
  }),
  Merchant: event('merchant', ['merchantId', 'acquirerId'], {
    merchantId: id,
    acquirerId: id,
    name: { type: 'string', maxLength: 256 },
    mcc: { type: 'string', pattern: '^\\d{4}$' },
    geo: { $ref: '#/components/schemas/Geo' },
    region: { type: 'string', pattern: '^\\d{6}$' },
  }),
  Terminal: event('terminal', ['terminalId', 'merchantId'], {
    terminalId: id,
    merchantId: id,
    acquirerId: id,
    geo: { $ref: '#/components/schemas/Geo' },
  }),
  Acquirer: event('acquirer', ['acquirerId', 'licensed'], {
    acquirerId: id,
    name: { type: 'string', maxLength: 256 },
    licensed: { type: 'boolean' },
  }),
  Label: event('label', ['fraud'], {
    txId: id,
    accountId: id,
    merchantId: id,
    terminalId: id,
    fraud: { type: 'boolean' },
    typology: { type: 'string', maxLength: 256 },
    source: { type: 'string', maxLength: 256 },
  }),
  OtherEvent: {
    oneOf: ['Account', 'AccountEvent', 'Merchant', 'Terminal', 'Acquirer', 'Label'].map((n) => ({
      $ref: `#/components/schemas/${n}`,
    })),
    discriminator: { propertyName: 'type' },
  },
  Decision: {
    type: 'object',
    required: ['txId', 'outcome', 'score', 'reasons', 'policy', 'seq', 'latencyUs'],
    properties: {
      txId: id,
      outcome: { enum: OUTCOMES },
      score: { type: 'number', minimum: 0, maximum: 100, description: 'higher is riskier; real-valued' },
      reasons: {
        type: 'array',
        description: 'most important first',
        items: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } },
      },
      policy: { type: 'string', description: 'the policy that decided' },
      seq: { type: 'integer', description: 'journal sequence number' },
      latencyUs: { type: 'integer', description: 'microseconds from complete body to decision' },
    },
  },
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { enum: API_ERROR_CODES },
          message: { type: 'string' },
          path: { type: 'string', description: 'the offending field, e.g. geo.lat or [3].amount' },
          expected: { type: 'string' },
        },
      },
    },
  },
};

function errors(...statuses: number[]): Json {
  const out: Json = {};
  for (const s of statuses) {
    out[String(s)] = {
      description: `error (see error.code)`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

function roles(p: Permission): string {
  return `Roles: ${rolesFor(p).join(', ')}.`;
}

const json = (ref: string): Json => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });

/** The OpenAPI entries of the module routes, merged by path. */
function modulePaths(routes: readonly Route[]): Json {
  const out: Record<string, Json> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const op: Json = {
      summary: r.summary,
      description: `${r.description ?? ''} ${roles(r.permission)}`.trim(),
      responses: { '200': { description: 'success', content: { 'application/json': {} } }, ...errors(400, 401, 403, 404, 409) },
    };
    if (params.length > 0) op.parameters = params;
    if (r.body !== undefined) op.requestBody = { required: true, content: { 'application/json': { schema: r.requestSchema ?? { type: 'object' } } } };
    (out[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return out;
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
          responses: { '200': { description: 'the decision', content: json('Decision') }, ...errors(400, 401, 403, 413, 415, 503) },
        },
      },
      '/v1/events': {
        post: {
          summary: 'Apply reference and account events',
          description: `One event or an array of events (not transactions). All or nothing: if any is invalid, none is applied and the error path names its index. Body at most 1 MiB. ${roles('decide')}`,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [{ $ref: '#/components/schemas/OtherEvent' }, { type: 'array', items: { $ref: '#/components/schemas/OtherEvent' } }] },
              },
            },
          },
          responses: {
            '202': {
              description: 'applied and journaled',
              content: { 'application/json': { schema: { type: 'object', properties: { accepted: { type: 'integer' } } } } },
            },
            ...errors(400, 401, 403, 413, 415, 503),
          },
        },
      },
      '/v1/decisions/{txId}': {
        get: {
          summary: 'The stored decision of a transaction',
          description: roles('read'),
          parameters: [{ name: 'txId', in: 'path', required: true, schema: id }],
          responses: { '200': { description: 'the decision as answered', content: json('Decision') }, ...errors(401, 403, 404) },
        },
      },
      '/v1/openapi.json': {
        get: { summary: 'This document', description: roles('docs'), responses: { '200': { description: 'OpenAPI 3.1' }, ...errors(401) } },
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
          description: roles('read'),
          responses: { '200': { description: 'text exposition format', content: { 'text/plain': {} } }, ...errors(401, 403) },
        },
      },
    },
  };
}
