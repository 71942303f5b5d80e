/**
 * Streams the Fraud Detection Handbook's raw CSV (gzip) row by row, without holding 1.75 M rows in
 * memory and without copying the file anywhere: the benchmark reads the shared dataset in place.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { forEachLine } from '../../src/io/lines.js';

/** The shared dataset, beside the project (never inside it). */
export const HANDBOOK_CSV = join(PACKAGE_ROOT, '..', 'shared', 'datasets', 'fraud-handbook', 'raw.csv.gz');

/** One row of the dataset. TX_FRAUD_SCENARIO is deliberately not read: no feature may see it. */
export interface HandbookRow {
  readonly id: number;
  /** "YYYY-MM-DD HH:MM:SS", no zone. */
  readonly datetime: string;
  readonly customer: number;
  readonly terminal: number;
  /** amount with two decimals, as in the file. */
  readonly amount: number;
  readonly fraud: boolean;
}

const COLUMNS = 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO';

/**
 * Calls `onRow` for every row whose date (the first 10 characters of TX_DATETIME) is in
 * [fromDay, toDay), in file order (increasing time). Stops reading early once past `toDay`.
 */
export async function readHandbook(
  path: string,
  fromDay: string,
  toDay: string,
  onRow: (row: HandbookRow) => void,
): Promise<void> {
  const input = createReadStream(path).pipe(createGunzip());
  let header = true;
  let done = false;
  await forEachLine(input, (line) => {
    if (header) {
      header = false;
      if (line !== COLUMNS) throw new Error(`unexpected header in ${path}: ${line}`);
      return;
    }
    if (done || line.length === 0) return;
    const c = line.split(',');
    const datetime = c[1];
    const day = datetime.slice(0, 10);
    if (day < fromDay) return;
    if (day >= toDay) {
      done = true;
      input.destroy();
      return;
    }
    onRow({ id: +c[0], datetime, customer: +c[2], terminal: +c[3], amount: +c[4], fraud: c[7] === '1' });
  }).catch((e: unknown) => {
    // destroying the stream early to stop reading is not an error
    if (!done) throw e;
  });
}
