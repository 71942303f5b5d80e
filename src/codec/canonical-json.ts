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
  return write(value, '', new Set());
}

function write(v: unknown, path: string, open: Set<object>): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new ContractError(path, 'a finite number (JSON has no NaN or Infinity)');
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      throw new ContractError(path, `a JSON value, not a ${typeof v}`);
  }
  const obj = v as object;
  if (open.has(obj)) throw new ContractError(path, 'a value without cycles');
  const proto: unknown = Object.getPrototypeOf(obj);
  if (!Array.isArray(obj) && proto !== Object.prototype && proto !== null) {
    throw new ContractError(path, 'a plain object or array');
  }
  open.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    const parts: string[] = [];
    for (let i = 0; i < obj.length; i++) {
      const item: unknown = obj[i];
      parts.push(item === undefined ? 'null' : write(item, `${path}[${i}]`, open));
    }
    out = `[${parts.join(',')}]`;
  } else {
    const rec = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of Object.keys(rec).sort()) {
      const item = rec[k];
      if (item === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${write(item, path === '' ? k : `${path}.${k}`, open)}`);
    }
    out = `{${parts.join(',')}}`;
  }
  open.delete(obj);
  return out;
}
