import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from './random.ts';

describe('pooledRandomBytes', () => {
  it('gives the size asked for, different bytes each time, across refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const bytes = pooledRandomBytes(16);
      expect(bytes.length).toBe(16);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('hands out copies: a later refill of the pool does not change bytes already given', () => {
    const first = pooledRandomBytes(8);
    const copy = Buffer.from(first);
    for (let i = 0; i < 1000; i++) pooledRandomBytes(16);
    expect(first.equals(copy)).toBe(true);
    expect(() => pooledRandomBytes(4097)).toThrow(RangeError);
  });
});
