/**
 * Streams the lines of a file or stdin of any size with bounded memory. Chunks are decoded with a
 * StringDecoder so a multi-byte character (商户名) split across two reads stays whole.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
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
  const decoder = new StringDecoder('utf8');
  let tail = '';
  let lineNo = 0;
  for await (const chunk of input) {
    const buf = chunk as Buffer;
    const text = tail + decoder.write(buf);
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl !== -1) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onLine(text.slice(start, end), ++lineNo);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    tail = text.slice(start);
    if (onChunk) await onChunk(buf.length);
  }
  tail += decoder.end();
  if (tail.length > 0) onLine(tail.endsWith('\r') ? tail.slice(0, -1) : tail, ++lineNo);
  return lineNo;
}
