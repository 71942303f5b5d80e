/**
 * The Handbook's rows as contract events. Each row is one `transaction` (account C<customer>,
 * terminal and merchant T<terminal>, amount in minor units, TX_DATETIME read as +08:00 local time)
 * and each fraud also yields a `label` {txId, fraud: true} exactly 7 days later, the delay the
 * book assumes. Events come out in time order: a label is emitted before any payment at or after
 * its time. The fraud scenario is never exposed.
 */
import { readHandbook, type HandbookRow } from './csv.js';

const DAY_MS = 86_400_000;
/** The zone the naive TX_DATETIME is read in; any fixed zone works as long as it is the same everywhere. */
export const ZONE = '+08:00';
/** Feedback delay of the book's protocol. */
export const LABEL_DELAY_MS = 7 * DAY_MS;

/** Contract timestamp of a TX_DATETIME. */
export function tsOf(datetime: string): string {
  return `${datetime.slice(0, 10)}T${datetime.slice(11, 19)}${ZONE}`;
}

/** Epoch ms of a TX_DATETIME in ZONE. */
export function timeOf(datetime: string): number {
  return Date.parse(tsOf(datetime));
}

/** Contract timestamp of epoch ms, in ZONE. */
export function tsOfTime(t: number): string {
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 19) + ZONE;
}

/** The transaction id of a row. */
export const txIdOf = (row: HandbookRow): string => `tx-${row.id}`;

/**
 * The contract transaction line of a row. The data holds 42 payments of 0.00, which the contract
 * (amount > 0) refuses; they become 1 fen, so every row of the book stays in, counts unchanged.
 */
export function transactionLine(row: HandbookRow): string {
  return (
    `{"type":"transaction","id":"${txIdOf(row)}","ts":"${tsOf(row.datetime)}","accountId":"C${row.customer}",` +
    `"amount":${Math.max(1, Math.round(row.amount * 100))},"currency":"CNY","merchantId":"T${row.terminal}","terminalId":"T${row.terminal}"}`
  );
}

function labelLine(txId: string, t: number): string {
  return `{"type":"label","ts":"${tsOfTime(t)}","txId":"${txId}","fraud":true,"source":"handbook"}`;
}

/**
 * Streams the events of the rows dated [fromDay, toDay): `onEvent(line, row)` gets each event's
 * JSON line, with the row for a transaction (so a benchmark can keep the truth aside) and null for
 * a label. Labels due before `toDay` are emitted; later ones are not (they are not known yet).
 */
export async function handbookEvents(
  csvPath: string,
  fromDay: string,
  toDay: string,
  onEvent: (line: string, row: HandbookRow | null, t: number) => void,
): Promise<void> {
  // labels are due in the order their frauds happened, so a FIFO queue keeps them sorted
  const queue: { txId: string; t: number }[] = [];
  let head = 0;
  const flush = (until: number): void => {
    while (head < queue.length && queue[head].t <= until) {
      const l = queue[head++];
      onEvent(labelLine(l.txId, l.t), null, l.t);
    }
    if (head > 65_536) {
      queue.splice(0, head);
      head = 0;
    }
  };
  await readHandbook(csvPath, fromDay, toDay, (row) => {
    const t = timeOf(row.datetime);
    flush(t);
    onEvent(transactionLine(row), row, t);
    if (row.fraud) queue.push({ txId: txIdOf(row), t: t + LABEL_DELAY_MS });
  });
  flush(Date.parse(`${toDay}T00:00:00${ZONE}`) - 1);
}
