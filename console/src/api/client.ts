/**
 * The one way the console talks to the server: GET (or send JSON to) a path with the session's key as a bearer token,
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
    /** What the server attached: every diagnostic of a policy that does not compile. */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly path?: unknown; readonly details?: unknown };
}

function errorOf(status: number, body: unknown): ApiError {
  const e = (body as ErrorBody | null)?.error;
  const code = typeof e?.code === 'string' ? e.code : `http_${status}`;
  const message = typeof e?.message === 'string' ? e.message : '';
  const path = typeof e?.path === 'string' ? e.path : undefined;
  return new ApiError(status, code, message, path, e?.details);
}

/**
 * GETs `path` (absolute, under /v1/, with its query) as JSON. The type parameter is the answer's
 * documented shape; the server is trusted to keep it.
 */
export async function apiGet<T>(path: string, key: string, signal?: AbortSignal): Promise<T> {
  return apiCall<T>('GET', path, key, undefined, signal);
}

/** POSTs `body` as JSON to `path` (an action: assign, note, resolve, freeze …); the answer as apiGet gives it. */
export function apiPost<T>(path: string, key: string, body: unknown): Promise<T> {
  return apiCall<T>('POST', path, key, body);
}

/** POSTs (or PUTs, DELETEs) `body` as JSON to `path`; the answer as apiGet gives it. */
export async function apiSend<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, key: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return apiCall<T>(method, path, key, body, signal);
}

async function apiCall<T>(method: string, path: string, key: string, sent: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        accept: 'application/json',
        ...(sent === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(sent === undefined ? {} : { body: JSON.stringify(sent) }),
      credentials: 'omit',
      cache: 'no-store',
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (e) {
    if (signal?.aborted === true) throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    if (res.ok) throw new ApiError(res.status, 'bad_answer', text.slice(0, 200));
  }
  if (!res.ok) throw errorOf(res.status, body);
  return body as T;
}

/** A path with its query, leaving out parameters that are empty. */
export function withQuery(path: string, params: Readonly<Record<string, string | number | null | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}
