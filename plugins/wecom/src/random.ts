import { randomFillSync } from 'node:crypto';

// Random bytes for the callback path, cut from a pool filled 4 KiB at a time from the system's
// CSPRNG: hundreds of small reads a second (a message's 16-byte prefix, a nonce, a receipt id) cost
// one system call per 4 KiB instead of one each, which on a VM is most of their price. Each caller
// gets its own copy, so a refill never changes bytes already handed out.
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** `size` (at most 4 KiB) cryptographically random bytes. */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES) throw new RangeError(`pooledRandomBytes gives at most ${POOL_BYTES} bytes`);
  if (offset + size > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.allocUnsafe(size);
  pool.copy(out, 0, offset, offset + size);
  // Bytes handed out are not kept in the pool.
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}
