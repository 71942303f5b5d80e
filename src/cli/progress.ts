/**
 * Progress for long jobs: a self-overwriting line on a terminal, nothing when stderr is piped
 * (logs stay clean), throttled so it never costs the job measurable time.
 */

/** Shows `render()` on stderr at most every `everyMs` while a TTY is attached. */
export class Progress {
  private last = 0;
  private shown = false;
  private readonly tty: boolean;

  constructor(private readonly everyMs = 250) {
    this.tty = process.stderr.isTTY === true;
  }

  /** Redraws if due. */
  tick(render: () => string): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    this.shown = true;
    process.stderr.write('\r\x1b[K' + render());
  }

  /** Clears the progress line before the summary is printed. */
  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
  }
}
