/**
 * A tiny seeded generator for the trainer's row and feature sampling. Kept inside the model package
 * (rather than reusing the simulator's) so a trained model depends on nothing but its seed and data.
 */

/** mulberry32: 32-bit state, full period, fast; a seed always yields the same sequence on every machine. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = (seed >>> 0) ^ 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
