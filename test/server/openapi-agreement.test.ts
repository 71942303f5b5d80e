// The OpenAPI document and the server agree. For every operation with a request body, a valid body
// is checked against the documented schema, then bodies that break the documented schema one rule
// at a time (a required property missing, a property of the wrong type, outside its enum, range or
// length, an undocumented property where none is allowed) are sent to the real server: each must be
// the 400 the document lists for that operation, with the error schema it documents and the broken
// property as error.path. Documented query parameters are broken the same way. The hot path
// (POST /v1/decisions, /v1/events) is held to its documented schemas too, though its validator is
// the hand-written contract parser. And the document is structurally OpenAPI 3.1: every $ref
// resolves, every path parameter is declared, every schema compiles as JSON Schema 2020-12.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TEMPLATES } from '../../src/notices/templates.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { account, registry, tx } from '../engine/world.js';
import { call, feed, startTestServer, type TestServer } from './helpers.js';

type Obj = Record<string, any>;

let s: TestServer;
let doc: Obj;
let ajv: Ajv2020;

before(async () => {
  s = await startTestServer();
  await feed(s.url, s.keys.admin, [...registry(), account('A1')]);
  const r = await call(s.url, '/v1/openapi.json', { key: s.keys.admin });
  assert.equal(r.status, 200);
  doc = r.json;
  ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
  ajv.addSchema(doc, 'openapi.json');
});
after(async () => {
  await s.close();
});

/** Valid bodies, one per operation with a request body: the document must accept each. */
const VALID: Record<string, () => unknown> = {
  'POST /v1/decisions': () => tx(3_600_000, { id: `agree-${Math.random()}` }),
  'POST /v1/events': () => account('Z1'),
  'POST /v1/accounts/{accountId}/actions': () => ({ action: 'freeze', reason: 'card reported stolen' }),
  'POST /v1/accounts/{accountId}/appeals': () => ({ text: 'that was me' }),
  'POST /v1/policies/{version}/backtests': () => ({ from: '2026-11-01', to: '2026-11-02' }),
  'POST /v1/cases': () => ({ subjectKind: 'account', subjectId: 'A1', note: 'look' }),
  'POST /v1/cases/{id}/assign': () => ({ assignee: 'ana' }),
  'POST /v1/cases/{id}/notes': () => ({ text: 'a note' }),
  'POST /v1/cases/{id}/status': () => ({ status: 'investigating' }),
  'POST /v1/cases/{id}/resolve': () => ({ resolution: 'fraud', typology: 'cashout' }),
  'DELETE /v1/keys/{keyId}': () => ({ reason: 'leaked' }),
  'PATCH /v1/keys/{keyId}': () => ({ rate: 200 }),
  'POST /v1/lists': () => ({ name: 'x_list', kind: 'device', purpose: 'block' }),
  'POST /v1/lists/{name}/entries': () => ({ value: 'D1', reason: 'fraud ring' }),
  'POST /v1/merchants/{merchantId}/actions': () => ({ action: 'hold_settlement', reason: 'chargebacks' }),
  'PUT /v1/modes/{name}': () => ({ description: 'calm', rules: 'setting score.review = 20\n' }),
  'POST /v1/modes/{name}/reject': () => ({ reason: 'not this one' }),
  'POST /v1/modes/{name}/validate': () => ({ rules: 'setting score.review = 20\n' }),
  'POST /v1/policies': () => ({ description: 'd', files: { 'a.fk': 'setting score.review = 30\n' } }),
  'POST /v1/policies/validate': () => ({ description: 'd', files: [{ file: 'a.fk', text: 'setting score.review = 30\n' }] }),
  'POST /v1/policies/rollback': () => ({ reason: 'too many reviews' }),
  'POST /v1/policies/{version}/publish': () => ({ note: 'ship it' }),
  'POST /v1/policies/{version}/reject': () => ({ reason: 'not yet' }),
  'POST /v1/alerts/{id}/ack': () => ({ note: 'seen: a limit test' }),
  'POST /v1/limit-proposals/approve': () => ({ ids: [1], note: 'weekly review' }),
  'POST /v1/limit-proposals/reject': () => ({ all: true }),
  'POST /v1/acquirers/licence-list': () => ({ asOf: '2026-11-30', source: 'PBC list', rows: [{ name: '持牌支付', validUntil: '2030-12-31' }], dryRun: true }),
  'POST /v1/complaints': () => ({ subjectKind: 'account', subjectId: 'A1', text: '这笔不是我付的', complainant: { deviceId: 'D1' } }),
  'PUT /v1/notices/templates': () => ({ templates: DEFAULT_TEMPLATES, note: 'the defaults again' }),
  'POST /v1/webhooks': () => ({ url: 'https://notify.example.cn/fk', events: ['account.restricted'], description: 'notices' }),
};

/** Query parameters a request needs to be valid at all (the required ones). */
const REQUIRED_QUERY: Record<string, Record<string, string>> = {
  'GET /v1/reports/risk': { from: '2026-11-01', to: '2026-11-02' },
  'GET /v1/complaints': { subjectKind: 'account', subjectId: 'A1' },
};

/** A JSON pointer segment. */
const seg = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The value a JSON pointer names in the document, or undefined. */
function resolvePointer(pointer: string): unknown {
  let v: unknown = doc;
  for (const raw of pointer.replace(/^#?\//, '').split('/')) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof v !== 'object' || v === null || !(k in v)) return undefined;
    v = (v as Obj)[k];
  }
  return v;
}

/** A schema with a top-level `$ref` followed. */
function deref(schema: Obj): Obj {
  let s = schema;
  while (typeof s.$ref === 'string') s = resolvePointer(s.$ref) as Obj;
  return s;
}

/** Every operation of the document: method, path template, the operation, and its JSON pointer. */
function operations(): { method: string; path: string; op: Obj; ptr: string }[] {
  const out: { method: string; path: string; op: Obj; ptr: string }[] = [];
  for (const [path, ops] of Object.entries<Obj>(doc.paths)) {
    for (const [method, op] of Object.entries<Obj>(ops)) out.push({ method: method.toUpperCase(), path, op, ptr: `/paths/${seg(path)}/${method}` });
  }
  return out;
}

/** A path template with its parameters filled in: a version number, or a plain word. */
function concrete(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'version' ? '1' : 'x'));
}

/** JSON types a schema admits (union of a `type` list or of its anyOf/oneOf branches); null when it does not say. */
function typesOf(schema: Obj): Set<string> | null {
  const s = deref(schema);
  if (s.type !== undefined) return new Set(Array.isArray(s.type) ? s.type : [s.type]);
  const branches = s.anyOf ?? s.oneOf;
  if (Array.isArray(branches)) {
    const all = new Set<string>();
    for (const b of branches) {
      const t = typesOf(b);
      if (t === null) return null;
      for (const x of t) all.add(x);
    }
    return all;
  }
  return null;
}

const CANDIDATES: [string, unknown][] = [
  ['object', { nested: true }],
  ['array', [1]],
  ['boolean', true],
  ['string', 'text'],
  ['number', 1.5],
];

/** A value of a JSON type the schema does not admit, or undefined when it admits them all. */
function wrongType(schema: Obj): unknown {
  const types = typesOf(schema);
  if (types === null) return undefined;
  for (const [t, v] of CANDIDATES) {
    if (types.has(t)) continue;
    return v;
  }
  return undefined;
}

interface Violation {
  readonly what: string;
  readonly body: unknown;
  readonly path: string;
}

/** Bodies that break the documented object schema one rule at a time, each from a valid `base`. */
function violations(schema: Obj, base: Obj): Violation[] {
  const out: Violation[] = [];
  const props: Record<string, Obj> = schema.properties ?? {};
  for (const name of schema.required ?? []) {
    const body = { ...base };
    delete body[name];
    out.push({ what: `without required ${name}`, body, path: name });
  }
  for (const [name, raw] of Object.entries(props)) {
    const p = deref(raw);
    const wrong = wrongType(p);
    if (wrong !== undefined) out.push({ what: `${name} of the wrong type`, body: { ...base, [name]: wrong }, path: name });
    const types = typesOf(p) ?? new Set<string>();
    if (Array.isArray(p.enum)) out.push({ what: `${name} outside its enum`, body: { ...base, [name]: 'not-a-documented-value' }, path: name });
    if (typeof p.const === 'string') out.push({ what: `${name} not its const`, body: { ...base, [name]: 'not-the-documented-value' }, path: name });
    if (types.has('integer') || types.has('number')) {
      if (typeof p.maximum === 'number') out.push({ what: `${name} above its maximum`, body: { ...base, [name]: p.maximum + 1 }, path: name });
      if (typeof p.minimum === 'number') out.push({ what: `${name} below its minimum`, body: { ...base, [name]: p.minimum - 1 }, path: name });
    }
    if (types.has('string')) {
      if (typeof p.maxLength === 'number') out.push({ what: `${name} too long`, body: { ...base, [name]: 'x'.repeat(p.maxLength + 1) }, path: name });
      if (typeof p.minLength === 'number' && p.minLength > 0) out.push({ what: `${name} empty`, body: { ...base, [name]: '' }, path: name });
    }
  }
  if (schema.additionalProperties === false) out.push({ what: 'an undocumented property', body: { ...base, undocumentedField: 1 }, path: 'undocumentedField' });
  return out;
}

/** The object schema a body is checked against: the body schema, or for a union the branch its `type` picks. */
function objectSchemaFor(bodySchema: Obj, body: Obj): Obj {
  const s = deref(bodySchema);
  const branches: Obj[] | undefined = s.oneOf ?? s.anyOf;
  if (branches === undefined) return s;
  for (const b of branches) {
    const picked = objectSchemaFor(b, body);
    if (picked.properties?.type?.const === body.type) return picked;
  }
  throw new Error(`no branch of the union documents type ${body.type}`);
}

/** Checks an answer is the 400 the operation documents: status, the documented error schema, the path. */
function assertDocumented400(opPtr: string, op: Obj, r: { status: number; json: any; text: string }, path: string, what: string): void {
  assert.ok(op.responses?.['400'], `${opPtr} documents a 400`);
  assert.equal(r.status, 400, `${what}: ${r.text}`);
  const check = ajv.getSchema(`openapi.json#${opPtr}/responses/400/content/application~1json/schema`);
  assert.ok(check, `${opPtr}: the 400's schema compiles`);
  assert.ok(check(r.json), `${what}: the answer fits the documented error schema: ${r.text} ${JSON.stringify(check.errors)}`);
  assert.equal(r.json.error.path, path, `${what}: ${r.text}`);
}

test('every documented request body: the document accepts a valid body, and the server answers each documented violation with the documented 400', async () => {
  const withBody = operations().filter((o) => o.op.requestBody !== undefined);
  assert.ok(withBody.length >= 20, `${withBody.length} operations with a body`);
  assert.deepEqual(withBody.map((o) => `${o.method} ${o.path}`).sort(), Object.keys(VALID).sort(), 'a valid body per operation with a body');
  let sent = 0;
  for (const { method, path, op, ptr } of withBody) {
    const name = `${method} ${path}`;
    const schemaPtr = `${ptr}/requestBody/content/application~1json/schema`;
    const documented = ajv.getSchema(`openapi.json#${schemaPtr}`);
    assert.ok(documented, `${name}: its body schema compiles`);
    const base = VALID[name]() as Obj;
    assert.ok(documented(base), `${name}: the document accepts ${JSON.stringify(base)}: ${JSON.stringify(documented.errors)}`);
    const cases = violations(objectSchemaFor(resolvePointer(schemaPtr) as Obj, base), base);
    cases.push({ what: 'a body that is not an object', body: 'just text', path: '' });
    assert.ok(cases.length >= 2, `${name}: some violations`);
    for (const v of cases) {
      assert.equal(documented(v.body), false, `${name} ${v.what}: the document refuses it`);
      const r = await call(s.url, concrete(path), { method, key: s.keys.admin, body: JSON.stringify(v.body) });
      assertDocumented400(ptr, op, r, v.path, `${name} ${v.what}`);
      sent++;
    }
  }
  assert.ok(sent > 100, `${sent} violations sent`);
});

test('every documented query parameter: the server answers each documented violation with the documented 400', async () => {
  let sent = 0;
  for (const { method, path, op, ptr } of operations()) {
    const params: Obj[] = (op.parameters ?? []).filter((p: Obj) => p.in === 'query');
    if (params.length === 0) continue;
    const name = `${method} ${path}`;
    const base = REQUIRED_QUERY[name] ?? {};
    for (const p of params.filter((x) => x.required)) assert.ok(p.name in base, `${name}: a valid value for required ${p.name}`);
    const cases: { what: string; query: Record<string, string>; path: string }[] = [];
    for (const p of params) {
      const sch = deref(p.schema);
      if (p.required) {
        const { [p.name]: _gone, ...rest } = base;
        cases.push({ what: `without required ${p.name}`, query: rest, path: p.name });
      }
      if (Array.isArray(sch.enum)) cases.push({ what: `${p.name} outside its enum`, query: { ...base, [p.name]: 'not-a-documented-value' }, path: p.name });
      if (sch.type === 'integer') {
        cases.push({ what: `${p.name} not an integer`, query: { ...base, [p.name]: 'many' }, path: p.name });
        if (typeof sch.maximum === 'number') cases.push({ what: `${p.name} above its maximum`, query: { ...base, [p.name]: String(BigInt(sch.maximum) + 1n) }, path: p.name });
        if (typeof sch.minimum === 'number') cases.push({ what: `${p.name} below its minimum`, query: { ...base, [p.name]: String(sch.minimum - 1) }, path: p.name });
      }
    }
    for (const c of cases) {
      const url = `${concrete(path)}?${new URLSearchParams(c.query)}`;
      const r = await call(s.url, url, { method, key: s.keys.admin });
      assertDocumented400(ptr, op, r, c.path, `${name} ${c.what}`);
      sent++;
    }
  }
  assert.ok(sent > 30, `${sent} query violations sent`);
});

test('/v1/openapi.json is structurally OpenAPI 3.1: every $ref resolves, path parameters are declared, every schema compiles', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(typeof doc.info?.title, 'string');
  assert.equal(typeof doc.info?.version, 'string');
  assert.equal(typeof doc.paths, 'object');
  for (const req of doc.security ?? []) for (const scheme of Object.keys(req)) assert.ok(doc.components.securitySchemes[scheme], `security scheme ${scheme}`);

  const refs: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref') refs.push(String(x));
        else walk(x);
      }
    }
  };
  walk(doc);
  assert.ok(refs.length > 50, `${refs.length} $refs`);
  for (const ref of new Set(refs)) {
    assert.ok(ref.startsWith('#/'), `${ref} is local`);
    assert.notEqual(resolvePointer(ref), undefined, `${ref} resolves`);
  }

  for (const name of Object.keys(doc.components.schemas)) {
    assert.ok(ajv.getSchema(`openapi.json#/components/schemas/${seg(name)}`), `components.schemas.${name} compiles`);
  }
  for (const { method, path, op, ptr } of operations()) {
    const where = `${method} ${path}`;
    assert.equal(typeof op.summary, 'string', where);
    assert.ok(op.responses && Object.keys(op.responses).length > 0, `${where} has responses`);
    for (const [status, resp] of Object.entries<Obj>(op.responses)) {
      assert.match(status, /^[1-5]\d\d$/, where);
      assert.equal(typeof resp.description, 'string', `${where} ${status} has a description`);
    }
    const params: Obj[] = op.parameters ?? [];
    const keys = params.map((p) => `${p.in}:${p.name}`);
    assert.equal(new Set(keys).size, keys.length, `${where}: no parameter twice`);
    for (const p of params) {
      assert.ok(['path', 'query', 'header', 'cookie'].includes(p.in), `${where} ${p.name}`);
      assert.ok(p.schema, `${where} ${p.name} has a schema`);
      if (p.in === 'path') assert.equal(p.required, true, `${where} ${p.name}`);
    }
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => `path:${m[1]}`).sort();
    assert.deepEqual(keys.filter((k) => k.startsWith('path:')).sort(), templated, `${where}: path parameters`);
    params.forEach((_p, i) => assert.ok(ajv.getSchema(`openapi.json#${ptr}/parameters/${i}/schema`), `${where} parameter ${i} compiles`));
    if (op.requestBody !== undefined) {
      assert.ok(ajv.getSchema(`openapi.json#${ptr}/requestBody/content/application~1json/schema`), `${where} body compiles`);
    }
    if (op.requestBody !== undefined || params.some((p) => p.in === 'query')) {
      assert.equal(op.responses['400']?.content?.['application/json']?.schema?.$ref, '#/components/schemas/Error', `${where} documents its 400 with the error schema`);
    }
  }
});
