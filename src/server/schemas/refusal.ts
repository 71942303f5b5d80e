/**
 * Turns a schema validator's errors into the API's 400: one field path in the project's notation
 * (`files["a.fk"]`, `items[2].value`, `reason`) and what was expected, worded as the domain
 * validators word it. Clients and tests matched on those paths and words before the schemas
 * existed; the schemas must not make the answers worse than the hand-written checks they front.
 */
import type { ErrorObject } from 'ajv';
import { ApiError } from '../errors.js';
import { EXPECTED } from './schema.js';

type Node = Readonly<Record<string, unknown>>;

/** Where a refusal points and what it says was expected. */
export interface Refusal {
  readonly path: string;
  readonly expected: string;
}

/** The 400 for a request a schema refused: `invalid_request` with the field path, as domain refusals are. */
export function refusalError(errors: readonly ErrorObject[], data: unknown): ApiError {
  const { path, expected } = describeErrors(errors, data);
  return new ApiError('invalid_request', path ? `${path}: expected ${expected}` : `expected ${expected}`, { path, expected });
}

/**
 * The one refusal to report for a failed validation. Ajv (allErrors off) stops at the first failing
 * keyword; when that is an `anyOf`/`oneOf`, its branches' errors come before it, and the branch whose
 * JSON type fits the value says best what is wrong inside it (a file text that is not a string, not
 * "not an object or an array").
 */
export function describeErrors(errors: readonly ErrorObject[], data: unknown): Refusal {
  if (errors.length === 0) return { path: '', expected: 'a valid request' };
  let e = errors[errors.length - 1];
  while (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
    const branches = e.schema as readonly Node[];
    const value = valueAt(data, e.instancePath);
    const fits = branches.flatMap((b, i) => (fitsType(b, value) ? [i] : []));
    if (fits.length !== 1) break;
    const inner = errors.filter((x) => x.schemaPath.startsWith(`${e.schemaPath}/${fits[0]}/`));
    if (inner.length === 0) break;
    e = inner[inner.length - 1];
  }
  return describe(e, data);
}

function describe(e: ErrorObject, data: unknown): Refusal {
  const node = (e.parentSchema ?? {}) as Node;
  const at = fieldPath(data, e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const name = String(params.missingProperty);
      const child = (node.properties as Record<string, Node> | undefined)?.[name];
      return { path: join(at, name), expected: `${child === undefined ? 'a value' : expectedOf(child)} (required)` };
    }
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((node.properties as Node | undefined) ?? {});
      return { path: join(at, name), expected: allowed.length > 0 ? `no such field; allowed: ${allowed.join(', ')}` : 'no such field' };
    }
    case 'propertyNames': {
      const names = node.propertyNames as Node;
      return { path: join(at, String(params.propertyName)), expected: expectedOf(names) };
    }
    default:
      return { path: at, expected: expectedOf(node) };
  }
}

/** What a schema node expects, in words: its `x-expected`, or words made from its keywords. */
export function expectedOf(node: Node): string {
  const own = node[EXPECTED];
  if (typeof own === 'string') return own;
  if (Array.isArray(node.enum)) return `one of ${node.enum.map(String).join(', ')}`;
  if ('const' in node) return JSON.stringify(node.const);
  for (const k of ['anyOf', 'oneOf'] as const) {
    const branches = node[k];
    if (Array.isArray(branches)) return orList(branches.map((b) => expectedOf(b as Node)));
  }
  const t = node.type;
  if (Array.isArray(t)) return orList(t.map((x) => typeWords(String(x), node)));
  if (typeof t === 'string') return typeWords(t, node);
  return 'a valid value';
}

function typeWords(type: string, node: Node): string {
  switch (type) {
    case 'string':
      return stringWords(node);
    case 'integer':
      return rangeWords('an integer', node);
    case 'number':
      return rangeWords('a number', node);
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a JSON object';
    case 'array': {
      const min = node.minItems;
      const max = node.maxItems;
      if (typeof min === 'number' && typeof max === 'number') return `an array of ${min} to ${max} items`;
      if (typeof min === 'number' && min > 0) return `an array of at least ${min} item${min === 1 ? '' : 's'}`;
      if (typeof max === 'number') return `an array of at most ${max} items`;
      return 'an array';
    }
    case 'null':
      return 'null';
    default:
      return `a ${type}`;
  }
}

function stringWords(node: Node): string {
  const min = typeof node.minLength === 'number' ? node.minLength : 0;
  const max = typeof node.maxLength === 'number' ? node.maxLength : undefined;
  const pattern = typeof node.pattern === 'string' ? ` matching /${node.pattern}/` : '';
  if (max !== undefined) return min > 0 ? `a string of ${min}–${max} characters${pattern}` : `a string of at most ${max} characters${pattern}`;
  if (min > 0) return `a string of at least ${min} character${min === 1 ? '' : 's'}${pattern}`;
  return `a string${pattern}`;
}

function rangeWords(what: string, node: Node): string {
  const min = typeof node.minimum === 'number' ? node.minimum : undefined;
  const max = typeof node.maximum === 'number' ? node.maximum : undefined;
  if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
  if (min !== undefined) return `${what} ≥ ${min}`;
  if (max !== undefined) return `${what} ≤ ${max}`;
  return what;
}

function orList(items: readonly string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? 'a valid value';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

/** True when `value`'s JSON type is one `branch` admits (a branch without a type admits anything). */
function fitsType(branch: Node, value: unknown): boolean {
  const t = branch.type;
  if (t === undefined) {
    if ('const' in branch) return branch.const === value;
    if (Array.isArray(branch.enum)) return branch.enum.includes(value);
    return true;
  }
  const types = Array.isArray(t) ? t.map(String) : [String(t)];
  const actual = jsonType(value);
  return types.includes(actual) || (actual === 'integer' && types.includes('number'));
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The segments of a JSON pointer (`/files/0/file`), unescaped. */
function segments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(data: unknown, pointer: string): unknown {
  let v = data;
  for (const s of segments(pointer)) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

/** A JSON pointer in the project's notation: `[3]` for array items, `.name` or `["a.fk"]` for keys. */
function fieldPath(data: unknown, pointer: string): string {
  let path = '';
  let v = data;
  for (const s of segments(pointer)) {
    path = Array.isArray(v) ? `${path}[${s}]` : join(path, s);
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[s] : undefined;
  }
  return path;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `path` and a key: `.key` for a plain name, `["…"]` for anything else (a file name, a blank). */
function join(path: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}
