// Lines of any size from a stream: split on newline bytes whatever the chunking, CRLF tolerated, a
// multi-byte character never split, a UTF-8 byte order mark not part of the first line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { forEachLine } from '../../src/io/lines.js';

async function linesOf(chunks: Buffer[]): Promise<[string, number][]> {
  const out: [string, number][] = [];
  await forEachLine(Readable.from(chunks), (l, n) => out.push([l, n]));
  return out;
}

test('lines across chunk boundaries, CRLF, multi-byte characters, a BOM, a last line without newline', async () => {
  const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\r\n深圳华强\n\nlast', 'utf8')]);
  const want: [string, number][] = [['{"a":1}', 1], ['深圳华强', 2], ['', 3], ['last', 4]];
  for (let cut = 1; cut < text.length; cut++) {
    assert.deepEqual(await linesOf([text.subarray(0, cut), text.subarray(cut)]), want, `cut at ${cut}`);
  }
  assert.deepEqual(await linesOf([Buffer.from('x\n')]), [['x', 1]]);
});
