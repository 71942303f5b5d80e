/**
 * `node dist/bench/handbook/convert.js --out FILE [--from 2018-04-01] [--to 2018-10-01]`: writes
 * the Handbook data as a contract events file (transactions plus fraud labels 7 days later), for
 * `fengkong replay`, `train` and `eval` on public data. Write it outside the repository: the data
 * is not ours to redistribute. A truth file for `fengkong eval` goes to --truth when given.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { flag } from '../util.js';
import { HANDBOOK_CSV } from './csv.js';
import { handbookEvents, tsOf, txIdOf } from './events.js';

async function write(s: WriteStream, text: string): Promise<void> {
  if (!s.write(text)) await new Promise<void>((r) => s.once('drain', () => r()));
}

async function main(): Promise<void> {
  const out = flag('out');
  if (out === undefined) {
    process.stderr.write('usage: node dist/bench/handbook/convert.js --out events.jsonl [--truth truth.jsonl] [--from 2018-04-01] [--to 2018-10-01]\n');
    process.exitCode = 2;
    return;
  }
  const from = flag('from') ?? '2018-04-01';
  const to = flag('to') ?? '2018-10-01';
  const truthPath = flag('truth');
  const events = createWriteStream(out);
  const truth = truthPath === undefined ? null : createWriteStream(truthPath);
  let buf = '';
  let tbuf = '';
  let n = 0;
  const pending: Promise<void>[] = [];
  await handbookEvents(flag('csv') ?? HANDBOOK_CSV, from, to, (line, row) => {
    buf += line + '\n';
    n++;
    if (row !== null && truth !== null) {
      tbuf += `{"txId":"${txIdOf(row)}","fraud":${row.fraud},"accountId":"C${row.customer}","ts":"${tsOf(row.datetime)}"}\n`;
    }
    if (buf.length > 1 << 20) {
      pending.push(write(events, buf));
      buf = '';
      if (truth !== null) {
        pending.push(write(truth, tbuf));
        tbuf = '';
      }
    }
  });
  await Promise.all(pending);
  await write(events, buf);
  if (truth !== null) await write(truth, tbuf);
  await new Promise<void>((r) => events.end(() => r()));
  if (truth !== null) await new Promise<void>((r) => truth.end(() => r()));
  process.stderr.write(`convert: ${n} events written to ${out}${truthPath ? `, truth to ${truthPath}` : ''}\n`);
}

await main();
