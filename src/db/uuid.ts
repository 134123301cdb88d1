import crypto from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';

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

/**
 * SQLite: an expression minting one time-ordered UUID (version 7) per row of a bulk insert without
 * calling back into JavaScript per row (gen_random_uuid() through uuidv7 was a tenth of a first
 * import). The time and 12 random bits are fixed per statement; the 62 bits after the variant count
 * up from a random start by `rowNumber`, distinct per row (RFC 9562's monotonic random method), so
 * ids of one statement are unique and in the order of `rowNumber`.
 */
export function uuidv7Rows(rowNumber: RawBuilder<unknown>): RawBuilder<string> {
  const random = crypto.randomBytes(10);
  const ms = Date.now().toString(16).padStart(12, '0');
  const prefix = `${ms.slice(0, 8)}-${ms.slice(8)}-7${HEX[random[0]! & 0x0f]!.slice(1)}${HEX[random[1]!]}-`;
  // A random start below 2^61, so start + rowNumber stays within the 62 bits.
  const start = random.readBigUInt64BE(2) & ((1n << 61n) - 1n);
  const n = sql`(${start} + ${rowNumber})`;
  return sql<string>`${prefix} || printf('%04x-%012x', 32768 | ((${n} >> 48) & 16383), ${n} & 281474976710655)`;
}
