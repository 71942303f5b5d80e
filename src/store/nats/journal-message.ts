/**
 * One JetStream message of a partition's journal: the entries of one or more group commits, packed
 * (log/journal-pack.ts) and optionally sealed, with their seq range in a clear header so a reader
 * can skip or check a message without opening it. Writer and reader share this one definition.
 */
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { StoreError } from '../../errors.js';
import type { JournalEntry } from '../../log/journal.js';
import { unpackBatch } from '../../log/journal-pack.js';

export type { PayloadSealer } from '../../log/payload-sealer.js';
import type { PayloadSealer } from '../../log/payload-sealer.js';

/** `<first entry seq>-<last entry seq>`: what the message holds, readable without the key. */
export const SEQS_HEADER = 'Fk-Seqs';
/** `1` when the payload is sealed: a reader without the key says so instead of failing to parse. */
export const SEALED_HEADER = 'Fk-Sealed';
/** The id of the writer that appended it: tells a re-sent append from a successor's (journal-writer.ts). */
export const WRITER_HEADER = 'Fk-Writer';

/** The headers and payload of one journal message holding entries `first..last`. */
export function encodeJournalMessage(packed: string, first: number, last: number, writerId: string, sealer: PayloadSealer | null): { headers: MsgHdrs; payload: Buffer } {
  const h = headers();
  h.set(SEQS_HEADER, `${first}-${last}`);
  h.set(WRITER_HEADER, writerId);
  const plain = Buffer.from(packed, 'utf8');
  if (sealer === null) return { headers: h, payload: plain };
  h.set(SEALED_HEADER, '1');
  return { headers: h, payload: sealer.seal(plain) };
}

/** The entry seq range a message's header names; a message without a valid one is not the journal's. */
export function journalMessageSeqs(h: MsgHdrs | undefined, where: string): { first: number; last: number } {
  const v = h?.get(SEQS_HEADER) ?? '';
  const m = /^(\d+)-(\d+)$/.exec(v);
  const first = m === null ? NaN : Number(m[1]);
  const last = m === null ? NaN : Number(m[2]);
  if (!(first >= 1 && last >= first)) {
    throw new StoreError(`${where} is not a journal message (header ${SEQS_HEADER} is ${JSON.stringify(v)}): only fengkong may publish on a journal subject`);
  }
  return { first, last };
}

/**
 * Throws unless a message holding entries `first..last` of `partition` follows entry `after`: a
 * follower that skipped or repeated an entry would decide differently from the owner it replaces.
 */
export function checkFollows(partition: number, after: number, first: number, last: number, where: string): void {
  const expect = after + 1;
  if (first === expect) return;
  throw new StoreError(
    first > expect
      ? `journal of partition ${partition} has a gap: entries ${expect}-${first - 1} are missing before ${where} (entries ${first}-${last})`
      : `journal of partition ${partition} holds entry ${first} twice: ${where} (entries ${first}-${last}) follows entry ${expect - 1}`,
  );
}

/**
 * The entries of a message, checked against its header: consecutive seqs from `first` to `last`.
 * `where` names the message (subject and stream seq) in errors.
 */
export function decodeJournalMessage(h: MsgHdrs | undefined, data: Uint8Array, sealer: PayloadSealer | null, where: string): JournalEntry[] {
  const { first, last } = journalMessageSeqs(h, where);
  const sealed = h?.get(SEALED_HEADER) === '1';
  let plain = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (sealed) {
    if (sealer === null) throw new StoreError(`${where} is sealed: open the cluster with its master key (--master-key-file)`);
    plain = sealer.open(plain);
  }
  const entries = unpackBatch(plain.toString('utf8'));
  if (entries.length !== last - first + 1) {
    throw new StoreError(`${where} holds ${entries.length} entries but its header says ${first}-${last}: the message is damaged`);
  }
  for (let i = 0; i < entries.length; i++) {
    if (entries[i].seq !== first + i) {
      throw new StoreError(`${where}: entry ${i} has seq ${entries[i].seq}, expected ${first + i}: the message is damaged`);
    }
  }
  return entries;
}
