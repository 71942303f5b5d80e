/**
 * Reading a JSON request body defensively, before anything else sees it: media type checked, size
 * capped while streaming (never buffered past the limit), nesting depth checked on the raw text
 * before JSON.parse allocates anything, and prototype-polluting keys rejected at any depth.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, joinPath } from './errors.js';

/** Limits for one route's body. */
export interface BodyLimits {
  /** Largest body in bytes; beyond it the answer is 413 and the connection is closed. */
  readonly maxBytes: number;
  /** Deepest nesting of objects and arrays accepted. */
  readonly maxDepth: number;
  /** What to do instead, added to the 413's message (e.g. how to split a bulk load). */
  readonly tooLargeHint?: string;
}

/** Keys that could reach an object's prototype if anything downstream merged the value. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Called once with the parsed body, or with the error to answer. */
export type BodyCallback = (err: ApiError | null, value: unknown) => void;

/** True when the Content-Type is JSON (`application/json`, optionally `; charset=utf-8`). */
export function isJsonContentType(ct: string | undefined): boolean {
  if (ct === undefined) return false;
  if (ct === 'application/json') return true;
  const semi = ct.indexOf(';');
  const type = (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
  if (type !== 'application/json') return false;
  if (semi < 0) return true;
  const params = ct.slice(semi + 1).toLowerCase();
  const m = /charset\s*=\s*"?([^";\s]+)/.exec(params);
  return m === null || m[1] === 'utf-8' || m[1] === 'utf8';
}

function tooLarge(limits: BodyLimits): ApiError {
  const hint = limits.tooLargeHint === undefined ? '' : `; ${limits.tooLargeHint}`;
  return new ApiError('payload_too_large', `body is larger than ${limits.maxBytes} bytes${hint}`, {
    headers: { connection: 'close' },
  });
}

/** Reads, size-checks and parses the JSON body of `req`; `cb` is called exactly once. */
export function readJsonBody(req: IncomingMessage, limits: BodyLimits, cb: BodyCallback): void {
  if (!isJsonContentType(req.headers['content-type'])) {
    cb(
      new ApiError(
        'unsupported_media_type',
        `Content-Type must be application/json, got ${JSON.stringify(req.headers['content-type'] ?? '(none)')}`,
        { headers: { connection: 'close' } },
      ),
      undefined,
    );
    return;
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBytes) {
    cb(tooLarge(limits), undefined);
    return;
  }
  let first: Buffer | null = null;
  let chunks: Buffer[] | null = null;
  let size = 0;
  let done = false;
  req.on('data', (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > limits.maxBytes) {
      done = true;
      first = null;
      chunks = null;
      cb(tooLarge(limits), undefined);
      return;
    }
    if (first === null) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.on('end', () => {
    if (done) return;
    done = true;
    const text = chunks !== null ? Buffer.concat(chunks, size).toString('utf8') : first === null ? '' : (first as Buffer).toString('utf8');
    const r = parseJsonText(text, limits.maxDepth);
    if (r instanceof ApiError) cb(r, undefined);
    else cb(null, r.value);
  });
  req.on('error', () => {
    done = true; // client went away mid-body: nothing to answer
  });
}

/** Parses body text with the empty, depth, JSON and forbidden-key checks; returns the value or the error. */
export function parseJsonText(text: string, maxDepth: number): { value: unknown } | ApiError {
  if (isBlank(text)) return new ApiError('empty_body', 'body is empty; expected a JSON object');
  const depth = nestingDepth(text, maxDepth);
  if (depth > maxDepth) {
    return new ApiError('too_deep', `body nests objects or arrays deeper than ${maxDepth} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return new ApiError('invalid_json', `body is not valid JSON: ${(e as Error).message}`);
  }
  const bad = forbiddenKeyPath(value, '');
  if (bad !== null) {
    return new ApiError('invalid_event', `${bad}: expected no such key (reserved name)`, {
      path: bad,
      expected: 'no such key (reserved name)',
    });
  }
  return { value };
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

/**
 * The deepest nesting of `{`/`[` in JSON text, ignoring brackets inside strings; stops counting
 * once past `limit` (malformed text is left to JSON.parse).
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

/** The path of the first `__proto__` / `constructor` / `prototype` key anywhere in `value`, or null. */
export function forbiddenKeyPath(value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null) {
        const bad = forbiddenKeyPath(v, `${path}[${i}]`);
        if (bad !== null) return bad;
      }
    }
    return null;
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (FORBIDDEN_KEYS.has(k)) return joinPath(path, k);
    const v = o[k];
    if (typeof v === 'object' && v !== null) {
      const bad = forbiddenKeyPath(v, joinPath(path, k));
      if (bad !== null) return bad;
    }
  }
  return null;
}
