import type { ByteRange } from '../content/content-store.js';

/** What to send for a `Range` header: the whole file, one range, or 416 (nothing satisfiable). */
export type RangeDecision = { kind: 'whole' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * Reads an HTTP `Range` header (RFC 9110 §14) for a file of `size` bytes. Only single byte ranges
 * are served: pdf.js and epub.js ask for one at a time, and RFC 9110 lets a server ignore a
 * Range it does not support (multiple ranges, other units, malformed) and send the whole file.
 * `ifRangeMatches` is false when an `If-Range` validator no longer matches: the file changed, so
 * the client gets it whole rather than a piece of the new one glued to the old.
 */
export function decideRange(header: string | undefined, size: number, ifRangeMatches = true): RangeDecision {
  if (!header || !ifRangeMatches) return { kind: 'whole' };
  // Each run of blanks has one place to go (a blank run after absent digits used to match two ways: quadratic).
  const match = /^bytes=\s*(?:(\d+)\s*)?-\s*(?:(\d+)\s*)?$/i.exec(header.trim());
  if (!match) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    // A suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start)) return { kind: 'unsatisfiable' };
  if (last !== '' && Number(last) < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'partial', range: { start, end } };
}
