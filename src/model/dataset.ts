/**
 * A growing matrix of feature rows, filled one payment at a time while a file is replayed. Rows
 * are copied out of the engine's reused feature vector into one Float64Array that doubles when
 * full, so collecting 100k rows costs a few dozen copies, not 100k small arrays.
 */

/** Rows of a fixed width plus each row's event time; labels are attached later, by row. */
export class RowCollector {
  readonly width: number;
  private data: Float64Array;
  private times: Float64Array;
  private labels: Uint8Array;
  private n = 0;

  constructor(width: number, initialRows = 1024) {
    this.width = width;
    this.data = new Float64Array(width * initialRows);
    this.times = new Float64Array(initialRows);
    this.labels = new Uint8Array(initialRows);
  }

  /** Rows held. */
  get rows(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const d = new Float64Array(this.width * cap);
    d.set(this.data);
    this.data = d;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const l = new Uint8Array(cap);
    l.set(this.labels);
    this.labels = l;
  }

  /**
   * Appends a row made of `src[slots[i]]` for each i (or the first `width` values of src when slots
   * is omitted) followed by `extra` values, if any; returns its row index.
   */
  add(src: ArrayLike<number>, t: number, slots?: ArrayLike<number>, extra?: ArrayLike<number>): number {
    if (this.n === this.times.length) this.grow();
    const off = this.n * this.width;
    const d = this.data;
    const k = slots === undefined ? this.width - (extra?.length ?? 0) : slots.length;
    if (slots === undefined) for (let i = 0; i < k; i++) d[off + i] = src[i];
    else for (let i = 0; i < k; i++) d[off + i] = src[slots[i]];
    if (extra !== undefined) for (let i = 0; i < extra.length; i++) d[off + k + i] = extra[i];
    this.times[this.n] = t;
    return this.n++;
  }

  /** Marks a row fraud (1) or legitimate (0). */
  setLabel(row: number, y: number): void {
    this.labels[row] = y > 0 ? 1 : 0;
  }

  /** The filled part: matrix, times and labels (views, not copies). */
  view(): { x: Float64Array; time: Float64Array; y: Uint8Array; rows: number } {
    return {
      x: this.data.subarray(0, this.n * this.width),
      time: this.times.subarray(0, this.n),
      y: this.labels.subarray(0, this.n),
      rows: this.n,
    };
  }
}
