/**
 * Every refusal of the HTTP API, as one error class with a stable snake_case `code` for clients
 * and an HTTP status. The body is always `{"error":{"code","message","path"?,"expected"?}}`; the
 * message keeps the project's `[FKxxxx]` code. Built on the project's error hierarchy.
 */
import {
  ConflictError,
  ContractError,
  ErrorCode,
  FengkongError,
  NotFoundError,
  PolicyCompileError,
  StoreError,
  type ErrorCodeValue,
} from '../errors.js';

/** The stable codes an API client can match on; only ever add to this list. */
export type ApiErrorCode =
  | 'invalid_json'
  | 'empty_body'
  | 'unsupported_media_type'
  | 'invalid_event'
  | 'payload_too_large'
  | 'too_deep'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'method_not_allowed'
  | 'journal_unavailable'
  | 'shutting_down'
  | 'internal'
  | 'invalid_request'
  | 'invalid_policy'
  | 'conflict'
  | 'idempotency_conflict'
  | 'event_time_ahead'
  | 'rate_limited'
  | 'too_many_bad_keys'
  | 'partition_unavailable';

const STATUS: Record<ApiErrorCode, number> = {
  invalid_json: 400,
  empty_body: 400,
  unsupported_media_type: 415,
  invalid_event: 400,
  payload_too_large: 413,
  too_deep: 400,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  method_not_allowed: 405,
  journal_unavailable: 503,
  shutting_down: 503,
  internal: 500,
  invalid_request: 400,
  invalid_policy: 422,
  conflict: 409,
  idempotency_conflict: 409,
  event_time_ahead: 400,
  rate_limited: 429,
  too_many_bad_keys: 429,
  partition_unavailable: 503,
};

const FK_CODE: Record<ApiErrorCode, ErrorCodeValue> = {
  invalid_json: ErrorCode.InvalidJson,
  empty_body: ErrorCode.BadRequest,
  unsupported_media_type: ErrorCode.BadRequest,
  invalid_event: ErrorCode.InvalidEvent,
  payload_too_large: ErrorCode.BadRequest,
  too_deep: ErrorCode.BadRequest,
  not_found: ErrorCode.BadRequest,
  unauthorized: ErrorCode.Unauthorized,
  forbidden: ErrorCode.Forbidden,
  method_not_allowed: ErrorCode.BadRequest,
  journal_unavailable: ErrorCode.JournalFailed,
  shutting_down: ErrorCode.BadRequest,
  internal: ErrorCode.Io,
  invalid_request: ErrorCode.BadRequest,
  invalid_policy: ErrorCode.PolicyCompile,
  conflict: ErrorCode.Conflict,
  idempotency_conflict: ErrorCode.Conflict,
  event_time_ahead: ErrorCode.InvalidEvent,
  rate_limited: ErrorCode.RateLimited,
  too_many_bad_keys: ErrorCode.RateLimited,
  partition_unavailable: ErrorCode.PartitionLost,
};

/** Every API error code, for the OpenAPI document and tests. */
export const API_ERROR_CODES = Object.keys(STATUS) as ApiErrorCode[];

/** A refused request: status, stable code, and for invalid input the field path and what was expected. */
export class ApiError extends FengkongError {
  readonly status: number;
  readonly api: ApiErrorCode;
  readonly path: string | undefined;
  readonly expected: string | undefined;
  /** Extra response headers (Allow, WWW-Authenticate, Connection). */
  readonly headers: Record<string, string>;
  /** Machine-readable detail beside the message (a policy's diagnostics, …). */
  readonly details: unknown;

  constructor(
    api: ApiErrorCode,
    message: string,
    opts: { path?: string; expected?: string; headers?: Record<string, string>; details?: unknown; cause?: unknown } = {},
  ) {
    super(FK_CODE[api], message, { cause: opts.cause });
    this.status = STATUS[api];
    this.api = api;
    this.path = opts.path;
    this.expected = opts.expected;
    this.headers = opts.headers ?? {};
    this.details = opts.details;
  }

  /** The JSON body of the answer. */
  toJson(): string {
    const e: Record<string, unknown> = { code: this.api, message: this.message };
    if (this.path !== undefined) e.path = this.path;
    if (this.expected !== undefined) e.expected = this.expected;
    if (this.details !== undefined) e.details = this.details;
    return JSON.stringify({ error: e });
  }
}

/** Joins a prefix (`[3]`) and a contract path (`geo.lat`) into `[3].geo.lat`. */
export function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  if (path === '') return prefix;
  return path.startsWith('[') ? prefix + path : `${prefix}.${path}`;
}

/** The API error for an event that broke the contract; `prefix` places it in an array (`[3]`). */
export function invalidEvent(e: ContractError, prefix = ''): ApiError {
  const path = joinPath(prefix, e.path);
  if (e.code === ErrorCode.InvalidJson) {
    return new ApiError('invalid_json', `body is not valid JSON: expected ${e.expected}`, { cause: e });
  }
  return new ApiError('invalid_event', path ? `${path}: expected ${e.expected}` : `expected ${e.expected}`, {
    path,
    expected: e.expected,
    cause: e,
  });
}

/**
 * The API error for anything a route's domain code threw on purpose: conflicts 409, missing things
 * 404, policies that do not compile 422 with every diagnostic, field errors 400 with their path.
 * Null for a bug (a plain Error) or a store failure, which the caller answers as 500.
 */
export function toApiError(e: unknown): ApiError | null {
  if (e instanceof ApiError) return e;
  if (!(e instanceof FengkongError) || e instanceof StoreError) return null;
  const message = e.message.replace(/^\[FK\d+\] /, '');
  if (e instanceof ConflictError) return new ApiError('conflict', message, { cause: e });
  if (e instanceof NotFoundError) return new ApiError('not_found', message, { cause: e });
  if (e instanceof PolicyCompileError) return new ApiError('invalid_policy', message, { details: e.diagnostics, cause: e });
  if (e instanceof ContractError) {
    return new ApiError('invalid_request', message, { path: e.path, expected: e.expected, cause: e });
  }
  const fields = e as unknown as { path?: unknown; expected?: unknown };
  return new ApiError('invalid_request', message, {
    path: typeof fields.path === 'string' ? fields.path : undefined,
    expected: typeof fields.expected === 'string' ? fields.expected : undefined,
    cause: e,
  });
}
