/*
 * Streams one zip entry's bytes, checked as strict UTF-8, into the CSV tokenizer, turning every way
 * that can fail (damaged data, a bomb, bytes that are not UTF-8, broken CSV) into one structural
 * issue with the physical line where it happened. Nothing is decoded here: the bytes are validated
 * a chunk at a time with the native isUtf8, and the tokenizer works on them as they are.
 */
import { isUtf8 } from 'node:buffer';
import type { CsvTokenizer } from './csv.js';
import type { IssueCollector } from './issues.js';
import { EntryReadError, type BundleZip, type ZipEntryInfo } from './zip.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Feeds the bytes of `entry` to `tokenizer`, calling `afterChunk` with the bytes inflated so far
 * after each chunk (where records are flushed to a sink and progress is shown). Returns false
 * after reporting a structural issue for `file`.
 */
export async function tokenizeEntry(
  zip: BundleZip,
  entry: ZipEntryInfo,
  file: string,
  tokenizer: CsvTokenizer,
  issues: IssueCollector,
  afterChunk: (bytes: number) => void | Promise<void>,
): Promise<boolean> {
  // The bytes of a character cut by the end of a chunk, held until the next one completes it.
  let carry: Buffer | null = null;
  let first = true;
  const invalid = (block: Buffer): false => {
    const line = lineOfInvalidByte(tokenizer, block);
    issues.add('csv.invalid_utf8', `${file} is not valid UTF-8 on line ${line}: save it as UTF-8 (not Windows-1252 or Latin-1).`, { file, line });
    return false;
  };
  let bytes = 0;
  try {
    for await (const chunk of zip.read(entry)) {
      bytes += chunk.length;
      let data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = null;
      if (first) {
        // A BOM is stripped (once the first three bytes are here to tell).
        if (data.length < BOM.length && BOM.subarray(0, data.length).equals(data)) {
          carry = data;
          continue;
        }
        first = false;
        if (data.subarray(0, BOM.length).equals(BOM)) data = data.subarray(BOM.length);
      }
      const cut = data.length - incompleteTail(data);
      const whole = cut === data.length ? data : data.subarray(0, cut);
      if (cut < data.length) carry = data.subarray(cut);
      if (!isUtf8(whole)) return invalid(whole);
      if (!tokenizer.push(whole)) break;
      await afterChunk(bytes);
    }
    if (!tokenizer.failure && !tokenizer.stopped) {
      // A character cut short by the end of the file (a lone BOM prefix too: it is not text either).
      if (carry?.length) return invalid(carry);
      tokenizer.end();
    }
  } catch (err) {
    if (!(err instanceof EntryReadError)) throw err;
    issues.add(err.code, `${file} ${err.message}.`, { file });
    return false;
  }
  const failure = tokenizer.failure;
  if (failure) {
    issues.add(failure.code, `${file} line ${failure.line}: ${failure.message}. The rest of the file was not read.`, { file, line: failure.line });
    return false;
  }
  return true;
}

// How many bytes at the end of `b` start a UTF-8 sequence that the next chunk must complete.
function incompleteTail(b: Uint8Array): number {
  for (let k = 1; k <= 3 && k <= b.length; k++) {
    const c = b[b.length - k] as number;
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

// The text before the bad byte is the tokenizer's pending bytes plus the block up to the byte.
function lineOfInvalidByte(tokenizer: CsvTokenizer, block: Buffer): number {
  let line = tokenizer.nextLine;
  const pending = tokenizer.pending;
  for (let i = pending.indexOf(10); i >= 0; i = pending.indexOf(10, i + 1)) line++;
  const bad = firstInvalidUtf8(block);
  for (let i = block.indexOf(10); i >= 0 && i < bad; i = block.indexOf(10, i + 1)) line++;
  return line;
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence (or the length). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= b.length) return i;
    for (let k = 1; k <= need; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return b.length;
}
