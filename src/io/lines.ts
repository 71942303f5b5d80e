/**
 * Streams the lines of a file or stdin of any size with bounded memory. Lines are found in the raw
 * bytes and each is decoded on its own: a multi-byte character (商户名) can never be split (a newline
 * byte never occurs inside a UTF-8 sequence), and a line of plain ASCII stays a one-byte string, which
 * JSON.parse reads faster than a slice of a two-byte chunk.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** Opens `path`, or stdin for '-'. */
export function openInput(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
}

/**
 * Calls `onLine(text, lineNumber)` for every line (without its newline, `\r\n` tolerated) and
 * `onChunk(bytes)` after each read, for progress. Resolves when the input ends.
 */
export async function forEachLine(
  input: Readable,
  onLine: (line: string, lineNo: number) => void,
  onChunk?: (bytes: number) => void | Promise<void>,
): Promise<number> {
  let tail: Buffer | null = null;
  let lineNo = 0;
  for await (const chunk of input) {
    const read = chunk as Buffer;
    const buf: Buffer = tail === null ? read : Buffer.concat([tail, read]);
    // a UTF-8 byte order mark (some editors write one) is not part of the first line
    let start = lineNo === 0 && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    let nl = buf.indexOf(10, start);
    while (nl !== -1) {
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      onLine(buf.toString('utf8', start, end), ++lineNo);
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    tail = start < buf.length ? buf.subarray(start) : null;
    if (onChunk) await onChunk(read.length);
  }
  if (tail !== null) {
    const end = tail[tail.length - 1] === 13 ? tail.length - 1 : tail.length;
    onLine(tail.toString('utf8', 0, end), ++lineNo);
  }
  return lineNo;
}
