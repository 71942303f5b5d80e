/**
 * The floor for the replay benchmark: a plain Node script that only reads the events file, parses
 * each line and writes one fixed decision line per transaction. Nothing can replay faster than
 * this on the same machine, so `fengkong replay` is measured as a multiple of it.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { answerHelp } from './util.js';

answerHelp('usage: node dist/bench/replay-floor.js <events.jsonl> <out.jsonl>');

const FIXED = '{"txId":"x","outcome":"approve","score":0,"reasons":[]}';

async function main(input: string, output: string): Promise<void> {
  const out = createWriteStream(output);
  let tail: Buffer | null = null;
  let buf: string[] = [];
  let n = 0;
  const line = (text: string): void => {
    if (text.length === 0) return;
    const ev = JSON.parse(text) as { type?: string };
    if (ev.type === 'transaction') {
      buf.push(FIXED);
      n++;
    }
  };
  // Same reading technique as fengkong's own reader (newlines found in bytes, each line decoded on its
  // own), so the ratio measures the engine, not a difference in I/O code.
  for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) {
    const bytes: Buffer = tail === null ? (chunk as Buffer) : Buffer.concat([tail, chunk as Buffer]);
    let start = 0;
    let nl = bytes.indexOf(10, start);
    while (nl !== -1) {
      line(bytes.toString('utf8', start, nl));
      start = nl + 1;
      nl = bytes.indexOf(10, start);
    }
    tail = start < bytes.length ? bytes.subarray(start) : null;
    if (buf.length > 4096) {
      if (!out.write(buf.join('\n') + '\n')) await once(out, 'drain');
      buf = [];
    }
  }
  if (tail !== null) line(tail.toString('utf8'));
  if (buf.length > 0) out.write(buf.join('\n') + '\n');
  await new Promise<void>((resolve) => out.end(resolve));
  process.stderr.write(`floor: ${n} transactions\n`);
}

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node dist/bench/replay-floor.js <events.jsonl> <out.jsonl>\n');
  process.exit(2);
}
await main(input, output);
