/**
 * The wire format of forwarded requests and their answers (docs/scale-out.md, "Routing"): what a
 * node sends to a partition's owner over NATS request–reply, and what comes back. One format shared
 * by the sender (forwarder.ts) and the owner (forward-server.ts), versioned by the `Fk-Forward` header.
 *
 * A message is a run of frames `<tag><byte length in decimal>:<UTF-8 bytes>`. Length-prefixed
 * rather than one JSON array because the texts are JSON already: measured on 100 payments (~370 B
 * each), JSON.stringify + JSON.parse of the array took ~200 µs and 37 KB (every quote escaped),
 * the frames ~75 µs and 31 KB, and a text arrives byte for byte as it was sent (the journal keeps
 * the event text as received). Decoding checks every length, tag and UTF-8 sequence: bytes from the
 * wire that are not a message of this format are a `ForwardFormatError`, never a crash.
 */
import { StoreError } from '../../errors.js';

/** One request forwarded to a partition's owner. */
export type ForwardedRequest =
  /** A payment to decide, as JSON text (already validated by the sender). */
  | { readonly kind: 'decide'; readonly event: string }
  /** A JSON array text of non-payment events. */
  | { readonly kind: 'events'; readonly events: string }
  /** A decision to look up by transaction id (one not projected yet). */
  | { readonly kind: 'find'; readonly txId: string };

/**
 * The owner's answer to one forwarded request: what the sender turns into its HTTP answer, so it
 * carries an HTTP status and error code rather than an exception (exceptions do not cross NATS).
 */
export type ForwardedAnswer =
  | { readonly ok: true; readonly body: string; readonly replayed?: boolean; readonly accepted?: number }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

/** The header naming the format version; a node refuses a version it does not speak. */
export const FORWARD_HEADER = 'Fk-Forward';
/** The one version this code speaks. */
export const FORWARD_VERSION = '1';

/** Bytes from the wire that are not a forwarded message of this format (answered 400 `bad_forward`). */
export class ForwardFormatError extends StoreError {}

/** Request frame tags. */
const DECIDE = 0x64; // d
const EVENTS = 0x65; // e
const FIND = 0x66; // f
/** Answer frame tags: ok body, metadata of the next ok body, error, error for the whole message. */
const OK = 0x6f; // o
const META = 0x6d; // m
const ERR = 0x78; // x
const MESSAGE_ERR = 0x58; // X
const COLON = 0x3a;
/** A length has at most 10 digits (a message is far below 10 GB). */
const MAX_DIGITS = 10;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text a request carries. */
function requestText(r: ForwardedRequest): string {
  return r.kind === 'decide' ? r.event : r.kind === 'events' ? r.events : r.txId;
}

function requestTag(r: ForwardedRequest): number {
  return r.kind === 'decide' ? DECIDE : r.kind === 'events' ? EVENTS : FIND;
}

/** One request as a frame (the sender encodes each when it is sent, so it knows the message's size). */
export function encodeRequest(r: ForwardedRequest): Buffer {
  return frame(requestTag(r), requestText(r));
}

/** Frames joined into one message. */
export function joinFrames(frames: readonly Uint8Array[]): Buffer {
  return Buffer.concat(frames);
}

/** The requests of a message, in order; a `ForwardFormatError` when it is not one. */
export function decodeRequests(b: Uint8Array): ForwardedRequest[] {
  const out: ForwardedRequest[] = [];
  for (const f of frames(b)) {
    if (f.tag === DECIDE) out.push({ kind: 'decide', event: f.text });
    else if (f.tag === EVENTS) out.push({ kind: 'events', events: f.text });
    else if (f.tag === FIND) out.push({ kind: 'find', txId: f.text });
    else throw new ForwardFormatError(`unknown request frame ${JSON.stringify(String.fromCharCode(f.tag))} at byte ${f.at}`);
  }
  if (out.length === 0) throw new ForwardFormatError('a forwarded message holds no request');
  return out;
}

/** The answers of a message, in the order of its requests. */
export function encodeAnswers(answers: readonly ForwardedAnswer[]): Buffer {
  const parts: Buffer[] = [];
  for (const a of answers) {
    if (a.ok) {
      if (a.replayed !== undefined || a.accepted !== undefined) parts.push(frame(META, JSON.stringify({ replayed: a.replayed, accepted: a.accepted })));
      parts.push(frame(OK, a.body));
    } else {
      parts.push(frame(ERR, JSON.stringify({ status: a.status, code: a.code, message: a.message })));
    }
  }
  return Buffer.concat(parts);
}

/** An answer for every request of a message at once (it could not be read, or `answer` failed). */
export function encodeMessageError(a: Extract<ForwardedAnswer, { ok: false }>): Buffer {
  return frame(MESSAGE_ERR, JSON.stringify({ status: a.status, code: a.code, message: a.message }));
}

/** What a reply says: one answer per request, or one answer for all of them. */
export type DecodedReply = { readonly each: ForwardedAnswer[] } | { readonly all: Extract<ForwardedAnswer, { ok: false }> };

export function decodeAnswers(b: Uint8Array): DecodedReply {
  const each: ForwardedAnswer[] = [];
  let meta: { replayed?: boolean; accepted?: number } | null = null;
  const fs = [...frames(b)];
  if (fs.length === 1 && fs[0].tag === MESSAGE_ERR) return { all: errorAnswer(fs[0].text) };
  for (const f of fs) {
    if (f.tag === META) {
      if (meta !== null) throw new ForwardFormatError(`two metadata frames in a row at byte ${f.at}`);
      meta = metaOf(f.text);
    } else if (f.tag === OK) {
      each.push(meta === null ? { ok: true, body: f.text } : { ok: true, body: f.text, ...meta });
      meta = null;
    } else if (f.tag === ERR) {
      if (meta !== null) throw new ForwardFormatError(`metadata before an error answer at byte ${f.at}`);
      each.push(errorAnswer(f.text));
    } else {
      throw new ForwardFormatError(`unknown answer frame ${JSON.stringify(String.fromCharCode(f.tag))} at byte ${f.at}`);
    }
  }
  if (meta !== null) throw new ForwardFormatError('metadata frame with no answer after it');
  return { each };
}

function frame(tag: number, text: string): Buffer {
  const n = Buffer.byteLength(text, 'utf8');
  const head = `_${n}:`;
  const out = Buffer.allocUnsafe(head.length + n);
  out.write(head, 0, 'latin1');
  out[0] = tag;
  out.write(text, head.length, 'utf8');
  return out;
}

function* frames(b: Uint8Array): Generator<{ tag: number; text: string; at: number }> {
  let i = 0;
  while (i < b.length) {
    const at = i;
    const tag = b[i++];
    let len = 0;
    let digits = 0;
    while (i < b.length && b[i] !== COLON) {
      const d = b[i] - 0x30;
      if (d < 0 || d > 9 || ++digits > MAX_DIGITS) throw new ForwardFormatError(`bad length in the frame at byte ${at}`);
      len = len * 10 + d;
      i++;
    }
    if (i >= b.length || digits === 0) throw new ForwardFormatError(`frame at byte ${at} has no length`);
    i++;
    if (len > b.length - i) throw new ForwardFormatError(`frame at byte ${at} claims ${len} bytes, ${b.length - i} remain`);
    let text: string;
    try {
      text = utf8.decode(b.subarray(i, i + len));
    } catch {
      throw new ForwardFormatError(`frame at byte ${at} is not UTF-8`);
    }
    i += len;
    yield { tag, text, at };
  }
}

function parseObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ForwardFormatError(`${what} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ForwardFormatError(`${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

function errorAnswer(text: string): Extract<ForwardedAnswer, { ok: false }> {
  const o = parseObject(text, 'an error answer');
  const { status, code, message } = o;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599 || typeof code !== 'string' || typeof message !== 'string') {
    throw new ForwardFormatError('an error answer needs an HTTP status, a code and a message');
  }
  return { ok: false, status, code, message };
}

function metaOf(text: string): { replayed?: boolean; accepted?: number } {
  const o = parseObject(text, 'answer metadata');
  const out: { replayed?: boolean; accepted?: number } = {};
  if (o.replayed !== undefined) {
    if (typeof o.replayed !== 'boolean') throw new ForwardFormatError('answer metadata: replayed must be true or false');
    out.replayed = o.replayed;
  }
  if (o.accepted !== undefined) {
    if (typeof o.accepted !== 'number' || !Number.isSafeInteger(o.accepted) || o.accepted < 0) throw new ForwardFormatError('answer metadata: accepted must be a count');
    out.accepted = o.accepted;
  }
  return out;
}

