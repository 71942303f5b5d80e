/**
 * Validated events in batches that cross from a parsing thread to the engine's thread cheaply.
 * Posting event objects would cost a structured clone each (more than parsing them again), so the
 * parsing side writes numbers into one transferred Float64Array and replaces repeated strings
 * (account, merchant, terminal, device ids, currency, MCC, …) by numbers into a table both sides
 * grow in step: an id crosses once, and every later event carries the engine's own copy of it back
 * (the same string object each time, so every map lookup finds its hash already computed). Strings
 * unique to one event (payment ids, timestamps) cross as they are.
 *
 * Transactions, four fifths of any stream, have a fixed layout and are rebuilt as the same object
 * literal as the contract's parser builds (same keys, same order, same hidden class on the hot path);
 * other events use shapes (their type's key list, sent once) and a tag per value.
 */
import type { FkEvent, Geo, TransactionEvent } from '../contract/events.js';

/** One batch as posted: everything in it is plain data or transferred. */
export interface EventBatch {
  /** records: see the REC_* layout comments below. */
  readonly nums: Float64Array;
  /** how many of `nums` are used. */
  readonly used: number;
  /** strings that cross as they are, in the order the records use them. */
  readonly strs: string[];
  /** strings new to the table, taking the next numbers in order (after a reset when `reset`). */
  readonly interned: string[];
  /** the table was emptied before `interned` (bounds both sides' memory on endless streams). */
  readonly reset: boolean;
  /** shapes first used in this batch, numbered in order from the decoder's count. */
  readonly shapes: string[][];
}

/** A line that did not validate, reported by the decoder in stream order. */
export interface InvalidLine {
  readonly lineNo: number;
  readonly path: string;
  readonly expected: string;
}

// record kinds; every record starts [kind, lineNo]
const REC_TX = 0; // t, amount, availableCredit (NaN: absent), hasGeo, (lat, lon), 10 string refs; strs: id, ts
const REC_EVENT = 1; // value of tag OBJECT (the event is an object), see writeValue
const REC_INVALID = 2; // strs: path, expected

// value tags of other events
const TAG_UNDEFINED = 0, TAG_NUMBER = 1, TAG_INTERNED = 2, TAG_PLAIN = 3, TAG_TRUE = 4, TAG_FALSE = 5, TAG_NULL = 6, TAG_OBJECT = 7;

/** Fields whose strings are unique to their event: interning them would only grow the table. */
const PLAIN_KEYS: ReadonlySet<string> = new Set(['id', 'ts', 'txId', 'openedAt', 'cardNumber']);
/** Table size at which both sides start over (a few hundred MB of ids at most). */
const MAX_TABLE = 1 << 21;

/** The parsing side: collects validated events and invalid lines into batches. */
export class EventBatchEncoder {
  private nums = new Float64Array(1 << 16);
  private used = 0;
  private strs: string[] = [];
  private interned: string[] = [];
  private shapes: string[][] = [];
  private reset = false;
  private readonly table = new Map<string, number>();
  private readonly shapeIds = new Map<string, number>();
  /** records in the batch being built. */
  count = 0;

  /** @param maxTable table size at which both sides start over (small only in tests). */
  constructor(private readonly maxTable = MAX_TABLE) {}

  /** Adds one event exactly as the contract's parser returned it. */
  add(e: FkEvent, lineNo: number): void {
    this.room(40);
    if (e.type === 'transaction') this.addTransaction(e, lineNo);
    else {
      this.nums[this.used++] = REC_EVENT;
      this.nums[this.used++] = lineNo;
      this.writeValue(e, false);
    }
    this.count++;
  }

  /** Adds a line that failed validation, with the field and what was expected. */
  addInvalid(lineNo: number, path: string, expected: string): void {
    this.room(2);
    this.nums[this.used++] = REC_INVALID;
    this.nums[this.used++] = lineNo;
    this.strs.push(path, expected);
    this.count++;
  }

  /** The batch so far (its array is to be transferred), and a fresh one started. */
  take(): EventBatch {
    const batch: EventBatch = { nums: this.nums, used: this.used, strs: this.strs, interned: this.interned, reset: this.reset, shapes: this.shapes };
    this.nums = new Float64Array(this.nums.length);
    this.used = 0;
    this.strs = [];
    this.interned = [];
    this.shapes = [];
    this.reset = false;
    this.count = 0;
    if (this.table.size >= this.maxTable) {
      this.table.clear();
      this.reset = true;
    }
    return batch;
  }

  private addTransaction(e: TransactionEvent, lineNo: number): void {
    const n = this.nums;
    let u = this.used;
    n[u++] = REC_TX;
    n[u++] = lineNo;
    n[u++] = e.t;
    n[u++] = e.amount;
    n[u++] = e.availableCredit ?? NaN;
    if (e.geo === undefined) n[u++] = 0;
    else {
      n[u++] = 1;
      n[u++] = e.geo.lat;
      n[u++] = e.geo.lon;
    }
    n[u++] = this.ref(e.accountId);
    n[u++] = this.ref(e.currency);
    n[u++] = this.ref(e.merchantId);
    n[u++] = this.ref(e.terminalId);
    n[u++] = this.ref(e.mcc);
    n[u++] = this.ref(e.acquirerId);
    n[u++] = this.ref(e.deviceId);
    n[u++] = this.ref(e.ip);
    n[u++] = this.ref(e.channel);
    n[u++] = this.ref(e.merchantName);
    this.used = u;
    this.strs.push(e.id, e.ts);
  }

  /** The table number of `s` (0 for undefined), adding it when new. */
  private ref(s: string | undefined): number {
    if (s === undefined) return 0;
    let r = this.table.get(s);
    if (r === undefined) {
      r = this.table.size + 1;
      this.table.set(s, r);
      this.interned.push(s);
    }
    return r;
  }

  private writeValue(v: unknown, plain: boolean): void {
    this.room(4);
    const n = this.nums;
    if (v === undefined) n[this.used++] = TAG_UNDEFINED;
    else if (v === null) n[this.used++] = TAG_NULL;
    else if (v === true) n[this.used++] = TAG_TRUE;
    else if (v === false) n[this.used++] = TAG_FALSE;
    else if (typeof v === 'number') {
      n[this.used++] = TAG_NUMBER;
      n[this.used++] = v;
    } else if (typeof v === 'string') {
      if (plain) {
        n[this.used++] = TAG_PLAIN;
        this.strs.push(v);
      } else {
        n[this.used++] = TAG_INTERNED;
        n[this.used++] = this.ref(v);
      }
    } else if (typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      const key = keys.join('\u0000');
      let shape = this.shapeIds.get(key);
      if (shape === undefined) {
        shape = this.shapeIds.size;
        this.shapeIds.set(key, shape);
        this.shapes.push(keys);
      }
      n[this.used++] = TAG_OBJECT;
      n[this.used++] = shape;
      for (const k of keys) this.writeValue(o[k], PLAIN_KEYS.has(k));
    } else {
      throw new TypeError(`event batch: cannot carry a value of type ${typeof v}`);
    }
  }

  /** Grows the number array so that `more` values fit. */
  private room(more: number): void {
    if (this.used + more <= this.nums.length) return;
    const bigger = new Float64Array(Math.max(this.nums.length * 2, this.used + more));
    bigger.set(this.nums.subarray(0, this.used));
    this.nums = bigger;
  }
}

/** The engine's side: rebuilds the events of each batch, in order, with the table kept in step. */
export class EventBatchDecoder {
  private table: (string | undefined)[] = [undefined];
  private readonly shapes: string[][] = [];
  private nums: Float64Array = new Float64Array(0);
  private strs: string[] = [];
  private at = 0;
  private si = 0;

  /** Calls `onEvent` for every event and `onInvalid` for every invalid line of `b`, in stream order. */
  decode(b: EventBatch, onEvent: (e: FkEvent, lineNo: number) => void, onInvalid: (line: InvalidLine) => void): void {
    if (b.reset) this.table = [undefined];
    for (const s of b.interned) this.table.push(s);
    for (const keys of b.shapes) this.shapes.push(keys);
    this.nums = b.nums;
    this.strs = b.strs;
    this.at = 0;
    this.si = 0;
    const n = b.nums;
    while (this.at < b.used) {
      const kind = n[this.at];
      const lineNo = n[this.at + 1];
      this.at += 2;
      if (kind === REC_TX) onEvent(this.transaction(), lineNo);
      else if (kind === REC_EVENT) onEvent(this.value() as FkEvent, lineNo);
      else if (kind === REC_INVALID) onInvalid({ lineNo, path: this.strs[this.si++] as string, expected: this.strs[this.si++] as string });
      else throw new RangeError(`event batch: unknown record kind ${kind}`);
    }
    this.strs = [];
  }

  /** The same object literal, key for key, as parseTransaction builds. */
  private transaction(): TransactionEvent {
    const n = this.nums;
    const T = this.table;
    let a = this.at;
    const t = n[a++];
    const amount = n[a++];
    const availableCredit = n[a++];
    let geo: Geo | undefined;
    if (n[a++] === 1) {
      geo = { lat: n[a], lon: n[a + 1] };
      a += 2;
    }
    const tx: TransactionEvent = {
      type: 'transaction' as const,
      id: this.strs[this.si] as string,
      ts: this.strs[this.si + 1] as string,
      t,
      accountId: T[n[a]] as string,
      amount,
      currency: T[n[a + 1]] as string,
      merchantId: T[n[a + 2]] as string,
      terminalId: T[n[a + 3]] as string,
      mcc: T[n[a + 4]],
      acquirerId: T[n[a + 5]],
      geo,
      deviceId: T[n[a + 6]],
      ip: T[n[a + 7]],
      channel: T[n[a + 8]] as TransactionEvent['channel'],
      merchantName: T[n[a + 9]],
      availableCredit: Number.isNaN(availableCredit) ? undefined : availableCredit,
    };
    this.at = a + 10;
    this.si += 2;
    return tx;
  }

  private value(): unknown {
    const n = this.nums;
    const tag = n[this.at++];
    switch (tag) {
      case TAG_UNDEFINED:
        return undefined;
      case TAG_NULL:
        return null;
      case TAG_TRUE:
        return true;
      case TAG_FALSE:
        return false;
      case TAG_NUMBER:
        return n[this.at++];
      case TAG_INTERNED:
        return this.table[n[this.at++]];
      case TAG_PLAIN:
        return this.strs[this.si++];
      case TAG_OBJECT: {
        const keys = this.shapes[n[this.at++]];
        if (keys === undefined) throw new RangeError('event batch: unknown shape');
        const o: Record<string, unknown> = {};
        for (const k of keys) o[k] = this.value();
        return o;
      }
      default:
        throw new RangeError(`event batch: unknown value tag ${tag}`);
    }
  }
}
