import crypto from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL = Buffer.alloc(8 * 8192);
let poolAt = POOL.length;
let lastMs = 0;
let seq = 0;

/**
 * A time-ordered UUID (version 7, RFC 9562): ids minted in one bulk insert sort after each other,
 * so SQLite appends to its primary-key B-tree instead of splitting random pages. Random bits come
 * from a pooled crypto buffer, since one getrandom call per id would cost more than the insert.
 */
export function uuidv7(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else if (++seq > 0xfff) {
    lastMs++;
    seq = 0;
  }
  if (poolAt + 8 > POOL.length) {
    crypto.randomFillSync(POOL);
    poolAt = 0;
  }
  const r = poolAt;
  poolAt += 8;
  const ms = lastMs.toString(16).padStart(12, '0');
  return (
    `${ms.slice(0, 8)}-${ms.slice(8)}-7${seq.toString(16).padStart(3, '0')}-` +
    `${HEX[(POOL[r]! & 0x3f) | 0x80]}${HEX[POOL[r + 1]!]}-${HEX[POOL[r + 2]!]}${HEX[POOL[r + 3]!]}${HEX[POOL[r + 4]!]}${HEX[POOL[r + 5]!]}${HEX[POOL[r + 6]!]}${HEX[POOL[r + 7]!]}`
  );
}
