/**
 * The one way the console talks to the server: GET a path (or POST an action) with the session's key as a bearer token,
 * and turn every refusal into an ApiError carrying the server's stable error code and words.
 */

/** A refused or failed call: `status` 0 when no answer came back at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The server's stable code (`unauthorized`, `forbidden`, …), or `network` / `bad_answer`. */
    readonly code: string,
    message: string,
    /** The field or parameter the server named, when it named one. */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly path?: unknown };
}

function errorOf(status: number, body: unknown): ApiError {
  const e = (body as ErrorBody | null)?.error;
  const code = typeof e?.code === 'string' ? e.code : `http_${status}`;
  const message = typeof e?.message === 'string' ? e.message : '';
  const path = typeof e?.path === 'string' ? e.path : undefined;
  return new ApiError(status, code, message, path);
}

async function request<T>(method: 'GET' | 'POST', path: string, key: string, body: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (e) {
    if (signal?.aborted === true) throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    if (res.ok) throw new ApiError(res.status, 'bad_answer', text.slice(0, 200));
  }
  if (!res.ok) throw errorOf(res.status, parsed);
  return parsed as T;
}

/**
 * GETs `path` (absolute, under /v1/, with its query) as JSON. The type parameter is the answer's
 * documented shape; the server is trusted to keep it.
 */
export function apiGet<T>(path: string, key: string, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', path, key, undefined, signal);
}

/** POSTs `body` as JSON to `path` (an action: assign, note, resolve, freeze, appeal …) and returns the answer. */
export function apiPost<T>(path: string, key: string, body: unknown): Promise<T> {
  return request<T>('POST', path, key, body);
}

/** A path with its query, leaving out parameters that are empty. */
export function withQuery(path: string, params: Readonly<Record<string, string | number | null | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}
