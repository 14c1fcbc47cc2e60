// Time-ordered ids for rows written at volume (generated customers, WeCom callback receipts).
import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * UUIDv7 generator: 48-bit millisecond time, a 12-bit counter, 62 random bits. Ids from one
 * generator are strictly increasing, which keeps B-tree inserts at the right edge of the index.
 */
export function createUuidV7(): () => string {
  const pool = Buffer.allocUnsafe(8192);
  let poolPos = pool.length;
  let lastMs = 0;
  let counter = 0;
  return () => {
    const now = Date.now();
    if (now > lastMs) {
      lastMs = now;
      counter = 0;
    } else if (++counter > 0xfff) {
      // More than 4096 ids in one millisecond: borrow the next millisecond.
      lastMs++;
      counter = 0;
    }
    if (poolPos + 8 > pool.length) {
      randomFillSync(pool);
      poolPos = 0;
    }
    const ms = lastMs;
    const hi = Math.floor(ms / 0x10000);
    const lo = ms % 0x10000;
    const p = poolPos;
    poolPos += 8;
    return (
      hi.toString(16).padStart(8, '0') +
      '-' +
      lo.toString(16).padStart(4, '0') +
      '-7' +
      counter.toString(16).padStart(3, '0') +
      '-' +
      HEX[((pool[p] as number) & 0x3f) | 0x80] +
      HEX[pool[p + 1] as number] +
      '-' +
      HEX[pool[p + 2] as number] +
      HEX[pool[p + 3] as number] +
      HEX[pool[p + 4] as number] +
      HEX[pool[p + 5] as number] +
      HEX[pool[p + 6] as number] +
      HEX[pool[p + 7] as number]
    );
  };
}
