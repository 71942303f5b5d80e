/**
 * The closed error hierarchy of Fengkong. Every error a user can see carries a stable code
 * (`FK1xxx` contract, `FK2xxx` rules, `FK3xxx` engine/config, `FK4xxx` I/O and CLI, `FK5xxx` server
 * and store) so that callers, logs and HTTP answers can match on it without parsing messages.
 */

/** Stable error codes; never renumber one, only add. */
export const ErrorCode = {
  InvalidEvent: 'FK1001',
  InvalidJson: 'FK1002',
  PolicyCompile: 'FK2001',
  PolicyNotFound: 'FK2002',
  Config: 'FK3001',
  /** The request is well-formed but the current state forbids it (approve one's own proposal, resolve twice). */
  Conflict: 'FK3002',
  /** The thing named (a policy version, a list, a case, an account) does not exist. */
  NotFound: 'FK3003',
  /** A block/allow/watch list or list entry refused at the boundary (empty value, no reason, already expired, …). */
  InvalidList: 'FK3004',
  Usage: 'FK4001',
  Io: 'FK4002',
  /** An HTTP request the API refuses before or beside the contract (size, media type, nesting, route). */
  BadRequest: 'FK5001',
  /** No valid API key. */
  Unauthorized: 'FK5002',
  /** A valid key whose role may not do this. */
  Forbidden: 'FK5003',
  /** The journal could not store what was decided; the server stops deciding. */
  JournalFailed: 'FK5004',
  /** The store's file is unreadable, of another schema, or its journal cannot be replayed. */
  Store: 'FK5005',
  /** A key over its rate limit, or an address sending too many unknown keys: slow down. */
  RateLimited: 'FK5006',
  /** A sealed value that does not open (changed, truncated, unknown key) or a master key that is wrong or unreadable. */
  Crypto: 'FK5007',
  /**
   * This node no longer owns a partition of a cluster: another node appended to its journal (the
   * fence refused our append) or its ownership lease was lost. Stop deciding for it and drop it.
   */
  PartitionLost: 'FK5008',
  /** An ISO 8583 message that cannot be read: a field's bytes are not what its format says. */
  Iso8583Format: 'FK5009',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every error Fengkong raises on purpose; anything else is a bug. */
export class FengkongError extends Error {
  readonly code: ErrorCodeValue;
  constructor(code: ErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(`[${code}] ${message}`, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An event broke the contract: `path` names the field (`geo.lat`), `expected` says what was wanted. */
export class ContractError extends FengkongError {
  readonly path: string;
  readonly expected: string;
  constructor(path: string, expected: string, code: ErrorCodeValue = ErrorCode.InvalidEvent) {
    super(code, path ? `${path}: expected ${expected}` : `expected ${expected}`);
    this.path = path;
    this.expected = expected;
  }
}

/** One diagnostic of the rule language, positioned in the policy text. */
export interface PolicyDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning';
}

/** A policy failed to compile; all its diagnostics come along, not just the first. */
export class PolicyCompileError extends FengkongError {
  readonly diagnostics: readonly PolicyDiagnostic[];
  constructor(diagnostics: readonly PolicyDiagnostic[]) {
    const first = diagnostics[0];
    const where = first ? `${first.file}:${first.line}:${first.column} ${first.code} ${first.message}` : 'unknown';
    const more = diagnostics.length > 1 ? ` (+${diagnostics.length - 1} more)` : '';
    super(ErrorCode.PolicyCompile, `policy does not compile: ${where}${more}`);
    this.diagnostics = diagnostics;
  }
}

/** Bad command-line use; the message says what to type instead. */
export class UsageError extends FengkongError {
  constructor(message: string) {
    super(ErrorCode.Usage, message);
  }
}

/** Bad configuration (policy folder missing, unreadable model, …). */
export class ConfigError extends FengkongError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Config, message, options);
  }
}

/** Something the store could not do (open, migrate, replay); `cause` keeps the driver's error. */
export class StoreError extends FengkongError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Store, message, options);
  }
}

/**
 * A request that is valid on its own but not now: approving one's own proposal, publishing an
 * unapproved version, resolving a case twice. Nothing changed; the message says what state allows it.
 */
export class ConflictError extends FengkongError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Conflict, message, options);
  }
}

/** The named thing (policy version, list, case, account, …) does not exist; nothing changed. */
export class NotFoundError extends FengkongError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.NotFound, message, options);
  }
}

/**
 * A request field the API cannot accept — of an account action, a case, a merchant action, … —:
 * `path` names the field, `expected` says what was wanted, and nothing changed. Answered as 400
 * `invalid_request` with the path.
 */
export class InputError extends FengkongError {
  readonly path: string;
  readonly expected: string;
  constructor(path: string, expected: string, code: ErrorCodeValue = ErrorCode.BadRequest) {
    super(code, `${path}: expected ${expected}`);
    this.path = path;
    this.expected = expected;
  }
}

/**
 * A list or list entry that cannot be accepted: `path` names the field that is wrong (`value`,
 * `reason`, `expiresAt`, `kind`, …) as ContractError does, and `expected` says what was wanted.
 * Nothing changed.
 */
export class ListError extends InputError {
  constructor(path: string, expected: string) {
    super(path, expected, ErrorCode.InvalidList);
  }
}

/**
 * Encryption at rest failed: a sealed value that does not authenticate (changed bytes, another key),
 * a data key this keyring lacks, or a master key file that is missing, malformed or not the one the
 * data folder's keys were wrapped with (the message names the file).
 */
export class CryptoError extends FengkongError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Crypto, message, options);
  }
}

/**
 * A node lost a partition of a cluster (docs/scale-out.md): its journal append was refused because
 * another owner appended since (the fence), or its lease could not be renewed. Nothing of the
 * refused batch was stored; the node must answer 503 to what it holds for the partition and drop it.
 */
export class PartitionLostError extends FengkongError {
  readonly partition: number;
  constructor(partition: number, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.PartitionLost, message, options);
    this.partition = partition;
  }
}

/**
 * An ISO 8583 message that cannot be read or mapped (src/iso8583/): `field` names the data element
 * (0 for the MTI, 1 for the bitmap, -1 for the frame or the TPDU header), `offset` the byte of the
 * message (counted from the first byte after the 2-byte length) where reading failed, `expected`
 * what was wanted there. The listener answers it `30` (format error) when it could read the MTI and
 * the STAN, and logs the offset; nothing is decided or stored.
 */
export class Iso8583FormatError extends FengkongError {
  readonly field: number;
  readonly offset: number;
  readonly expected: string;
  constructor(field: number, offset: number, expected: string) {
    super(ErrorCode.Iso8583Format, `${field < 0 ? 'frame' : field === 0 ? 'MTI' : `field ${field}`} at byte ${offset}: expected ${expected}`);
    this.field = field;
    this.offset = offset;
    this.expected = expected;
  }
}
