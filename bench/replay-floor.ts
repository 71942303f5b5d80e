/**
 * The floor for the replay benchmark: a plain Node script that only reads the events file, parses
 * each line and writes one fixed decision line per transaction. Nothing can replay faster than
 * this on the same machine, so `fengkong replay` is measured as a multiple of it.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';

const FIXED = '{"txId":"x","outcome":"approve","score":0,"reasons":[]}';

async function main(input: string, output: string): Promise<void> {
  const out = createWriteStream(output);
  const decoder = new StringDecoder('utf8');
  let tail = '';
  let buf: string[] = [];
  let n = 0;
  for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) {
    const text = tail + decoder.write(chunk as Buffer);
    const lines = text.split('\n');
    tail = lines.pop() ?? '';
    for (const line of lines) {
      if (line.length === 0) continue;
      const ev = JSON.parse(line) as { type?: string };
      if (ev.type === 'transaction') {
        buf.push(FIXED);
        n++;
      }
    }
    if (buf.length > 4096) {
      if (!out.write(buf.join('\n') + '\n')) await once(out, 'drain');
      buf = [];
    }
  }
  if (tail.length > 0 && (JSON.parse(tail) as { type?: string }).type === 'transaction') buf.push(FIXED);
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
