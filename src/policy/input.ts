/**
 * The policy API's request bodies, checked at the boundary: every refusal is a ContractError naming
 * the field (`files["a.fk"]`, `description`, `version`) and what was expected, so a client sees
 * exactly what to fix and nothing is stored.
 */
import { ContractError } from '../errors.js';
import type { PolicySource } from '../rules/compile.js';

/** Bounds on what one draft may hold. */
export const DRAFT_LIMITS = {
  files: 200,
  fileBytes: 2 * 1024 * 1024,
  nameLength: 128,
  description: 4_000,
} as const;

/** A draft as asked for. `model`: undefined inherits the parent's, null drops it. */
export interface DraftInput {
  readonly parent: number | undefined;
  readonly description: string;
  readonly sources: PolicySource[];
  readonly model: unknown;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body as an object, or a ContractError for the whole body. */
export function objectBody(body: unknown, expected: string): Obj {
  if (!isObj(body)) throw new ContractError('', expected);
  return body;
}

/** Refuses fields the route does not know, so a typo (`descripton`) is not silently ignored. */
export function onlyFields(o: Obj, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ContractError(k, `no such field; allowed: ${allowed.join(', ')}`);
  }
}

/** A required or optional string field, trimmed, within `max` characters. */
export function stringField(o: Obj, name: string, opts: { required: boolean; max: number; nonEmpty?: boolean }): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) {
    if (opts.required) throw new ContractError(name, `a string of at most ${opts.max} characters`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length > opts.max) throw new ContractError(name, `a string of at most ${opts.max} characters`);
  if (opts.nonEmpty && v.trim() === '') throw new ContractError(name, 'a non-empty string');
  return v;
}

/** An optional positive integer (a version number). */
export function versionField(o: Obj, name: string): number | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new ContractError(name, 'a version number (an integer ≥ 1)');
  return v;
}

/** A version number from a path segment (`/v1/policies/{version}`). */
export function versionParam(raw: string): number {
  const n = /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw new ContractError('version', 'a version number (an integer ≥ 1) in the path');
  return n;
}

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.fk$/;

/** Checks a policy file's name: a plain `*.fk` name, no folders. */
export function checkFileName(name: string, path: string): string {
  if (name.length > DRAFT_LIMITS.nameLength || !FILE_NAME.test(name)) {
    throw new ContractError(path, `a file name of letters, digits, '_', '-' and '.', ending in .fk, at most ${DRAFT_LIMITS.nameLength} characters`);
  }
  return name;
}

/**
 * A draft's files from `{name: text}` or `[{file, text}]`, sorted by name (the order the compiler
 * reads them in, as for a folder on disk); at least one, no name twice.
 */
export function parseFiles(v: unknown): PolicySource[] {
  const out: PolicySource[] = [];
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (!isObj(item)) throw new ContractError(`files[${i}]`, 'an object {file, text}');
      const file = item.file;
      const text = item.text;
      if (typeof file !== 'string') throw new ContractError(`files[${i}].file`, 'a file name such as "10-velocity.fk"');
      if (typeof text !== 'string') throw new ContractError(`files[${i}].text`, 'the file text as a string');
      out.push({ file: checkFileName(file, `files[${i}].file`), text });
    });
  } else if (isObj(v)) {
    for (const [file, text] of Object.entries(v)) {
      const path = `files[${JSON.stringify(file)}]`;
      checkFileName(file, path);
      if (typeof text !== 'string') throw new ContractError(path, 'the file text as a string');
      out.push({ file, text });
    }
  } else {
    throw new ContractError('files', 'an object {"name.fk": "text", …} or an array [{file, text}, …]');
  }
  if (out.length === 0) throw new ContractError('files', 'at least one *.fk file');
  if (out.length > DRAFT_LIMITS.files) throw new ContractError('files', `at most ${DRAFT_LIMITS.files} files`);
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.file)) throw new ContractError('files', `each file once; ${JSON.stringify(s.file)} appears twice`);
    seen.add(s.file);
    if (Buffer.byteLength(s.text) > DRAFT_LIMITS.fileBytes) {
      throw new ContractError(`files[${JSON.stringify(s.file)}]`, `at most ${DRAFT_LIMITS.fileBytes} bytes of text`);
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** `POST /v1/policies`: `{parent?, description, files, model?}`. */
export function parseDraft(body: unknown): DraftInput {
  const o = objectBody(body, 'an object {parent?, description, files, model?}');
  onlyFields(o, ['parent', 'description', 'files', 'model']);
  const description = stringField(o, 'description', { required: true, max: DRAFT_LIMITS.description, nonEmpty: true })!;
  const model = o.model;
  if (model !== undefined && model !== null && !isObj(model)) throw new ContractError('model', 'a model file (the JSON `fengkong train` writes), or null for none');
  return { parent: versionField(o, 'parent'), description, sources: parseFiles(o.files), model };
}

/** Names of incident modes: what URLs and decisions show (`v7+incident:remote-wave`). */
const MODE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Checks a mode name from the path. */
export function modeName(raw: string): string {
  if (!MODE_NAME.test(raw)) throw new ContractError('name', 'a mode name: lowercase letters, digits, "-" and "_", starting with a letter or digit, at most 63 characters');
  return raw;
}
