/**
 * Output files written in big chunks with backpressure: one buffer per day is handed to a write
 * stream and the next day waits for 'drain' when the stream's buffer is full, so memory stays flat.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** One buffered JSONL output file. */
export class LineWriter {
  private readonly stream: WriteStream;
  private failure: Error | null = null;

  constructor(path: string) {
    this.stream = createWriteStream(path, { highWaterMark: 4 * 1024 * 1024 });
    this.stream.on('error', (e: Error) => {
      this.failure = e;
    });
  }

  /** Writes a chunk of whole lines; resolves once the stream can take more. */
  async write(chunk: Buffer): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (chunk.length === 0) return;
    const ok = this.stream.write(chunk);
    // once() rejects if the stream emits 'error' while we wait.
    if (!ok) await once(this.stream, 'drain');
    if (this.failure !== null) throw this.failure;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.failure !== null) throw this.failure;
  }
}
