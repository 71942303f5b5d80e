/**
 * Canonical JSON: one byte sequence per JSON value, so a hash over it (the audit log's chain) does
 * not depend on the key order an object happened to be built in or on whitespace. Object keys are
 * sorted by UTF-16 code units (JavaScript's default sort, the order RFC 8785 uses), nothing is
 * indented, strings and numbers are written as JSON.stringify writes them. What JSON itself cannot
 * hold (NaN, Infinity, a bigint, a function, a symbol) is refused rather than written as `null`, so
 * two different values never share a text.
 */
import { ContractError } from '../errors.js';

/**
 * The canonical text of `value`. Like JSON.stringify, an `undefined` object member is left out and
 * an `undefined` array element is written as `null`; unlike it, `toJSON` is not called (a Date is
 * refused: the caller stores plain JSON data) and a cycle is refused instead of overflowing.
 */
export function canonicalJson(value: unknown): string {
  return write(value, [], []);
}

/** The path of the value being written (`a.b[2]`), built only for an error message. */
function pathOf(keys: readonly (string | number)[]): string {
  let out = '';
  for (const k of keys) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out;
}

/** `keys`: the path so far; `open`: the objects being written around this value (a cycle check). */
function write(v: unknown, keys: (string | number)[], open: object[]): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new ContractError(pathOf(keys), 'a finite number (JSON has no NaN or Infinity)');
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      throw new ContractError(pathOf(keys), `a JSON value, not a ${typeof v}`);
  }
  const obj = v as object;
  if (open.includes(obj)) throw new ContractError(pathOf(keys), 'a value without cycles');
  const isArray = Array.isArray(obj);
  const proto: unknown = Object.getPrototypeOf(obj);
  if (!isArray && proto !== Object.prototype && proto !== null) throw new ContractError(pathOf(keys), 'a plain object or array');
  open.push(obj);
  let out: string;
  if (isArray) {
    out = '[';
    for (let i = 0; i < obj.length; i++) {
      const item: unknown = obj[i];
      keys.push(i);
      out += (i > 0 ? ',' : '') + (item === undefined ? 'null' : write(item, keys, open));
      keys.pop();
    }
    out += ']';
  } else {
    const rec = obj as Record<string, unknown>;
    out = '{';
    let first = true;
    for (const k of Object.keys(rec).sort()) {
      const item = rec[k];
      if (item === undefined) continue;
      keys.push(k);
      out += (first ? '' : ',') + JSON.stringify(k) + ':' + write(item, keys, open);
      keys.pop();
      first = false;
    }
    out += '}';
  }
  open.pop();
  return out;
}
