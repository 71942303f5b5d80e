/**
 * A buffered line writer for decisions: batches many small lines into large writes and waits for
 * the stream to drain when it is full, so a slow disk or pipe throttles the replay instead of
 * filling memory.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const FLUSH_AT = 256 * 1024;

/** Writes lines to a file or stdout ('-'), or nowhere (null). */
export class LineWriter {
  private readonly out: Writable | null;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string | null) {
    this.out = path === null ? null : path === '-' ? process.stdout : createWriteStream(path);
  }

  /** Queues one line (a newline is added). */
  write(line: string): void {
    if (this.out === null) return;
    this.buffer.push(line);
    this.size += line.length + 1;
  }

  /** True when enough is queued that the caller should `flush()` before going on. */
  get full(): boolean {
    return this.size >= FLUSH_AT;
  }

  /** Hands queued lines to the stream, waiting for it to drain if it asks to. */
  async flush(): Promise<void> {
    if (this.out === null || this.buffer.length === 0) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.size = 0;
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  /** Flushes and closes (stdout is flushed, never closed). */
  async close(): Promise<void> {
    await this.flush();
    const out = this.out;
    if (out === null || out === process.stdout) return;
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
  }
}
