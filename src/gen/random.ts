/**
 * A small seeded pseudo-random generator for workload generation: mulberry32 (Tommy Ettinger's
 * 32-bit generator, period 2^32, passes gjrand/PractRand to tens of GB — plenty for picking GPU
 * models and request sizes). Same seed → same sequence on every platform: it only uses 32-bit
 * integer arithmetic (`Math.imul`, `>>>`), never `Math.random`.
 */
export class Random {
  private state: number;

  /** `seed`: any integer (taken modulo 2^32). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n) for 0 < n ≤ 2^32. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One of `items` (non-empty). */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One of `choices`, each with probability proportional to its `weight` (> 0). */
  weighted<T>(choices: readonly { value: T; weight: number }[]): T {
    const total = choices.reduce((s, c) => s + c.weight, 0);
    let r = this.next() * total;
    for (const c of choices) {
      r -= c.weight;
      if (r < 0) return c.value;
    }
    return choices[choices.length - 1].value;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** A generator for a sub-workload: seeded from this one's next value, independent afterwards. */
  fork(): Random {
    return new Random(this.nextU32());
  }
}
