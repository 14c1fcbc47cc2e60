// Small, fast building blocks for the data generator: a seeded PRNG (so a seed always yields the
// same data), a keyed permutation (so the i-th customer gets a phone number no other index can
// get, without remembering the ones handed out). Its time-ordered UUIDs are in ../uuid-v7.ts.

/** sfc32, seeded through splitmix32: fast, 128 bits of state, good enough for fake data. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks from a table built by `weighted()`. */
  pickWeighted<T>(table: WeightedTable<T>): T {
    const x = this.next() * table.total;
    // Binary search over the cumulative weights.
    let lo = 0;
    let hi = table.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((table.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return table.items[lo] as T;
  }

  /** Geometric number of extra successes with the given mean (0, 1, 2 …). */
  geometric(mean: number): number {
    if (mean <= 0) return 0;
    const p = 1 / (1 + mean);
    return Math.floor(Math.log(1 - this.next()) / Math.log(1 - p));
  }
}

export interface WeightedTable<T> {
  items: readonly T[];
  cumulative: readonly number[];
  total: number;
}

export function weighted<T>(entries: ReadonlyArray<readonly [T, number]>): WeightedTable<T> {
  const items: T[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [item, weight] of entries) {
    total += weight;
    items.push(item);
    cumulative.push(total);
  }
  return { items, cumulative, total };
}

function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d);
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A bijection of [0, size) onto itself for size ≤ 2^32: a 4-round Feistel network on 32 bits,
 * cycle-walked back into range. Distinct inputs always give distinct outputs, so numbers derived
 * from it (phones, QQ numbers) are unique without a lookup.
 */
export function createPermutation(size: number, key: number): (index: number) => number {
  if (size < 1 || size > 2 ** 32) throw new RangeError(`permutation size out of range: ${size}`);
  const keys = [mix32(key), mix32(key + 1), mix32(key + 2), mix32(key + 3)];
  const feistel = (x: number): number => {
    let left = x >>> 16;
    let right = x & 0xffff;
    for (const k of keys) {
      const f = mix32(right ^ k) & 0xffff;
      const nextRight = left ^ f;
      left = right;
      right = nextRight;
    }
    return ((left << 16) | right) >>> 0;
  };
  return (index: number) => {
    if (!(index >= 0 && index < size)) throw new RangeError(`permutation index out of range: ${index}`);
    let x = feistel(index);
    while (x >= size) x = feistel(x);
    return x;
  };
}

