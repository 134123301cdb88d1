/*
 * Streams one zip entry through a strict UTF-8 decoder into the CSV tokenizer, turning every way
 * that can fail (damaged data, a bomb, bytes that are not UTF-8, broken CSV) into one structural
 * issue with the physical line where it happened.
 */
import { CsvTokenizer } from './csv.js';
import type { IssueCollector } from './issues.js';
import { EntryReadError, type BundleZip, type ZipEntryInfo } from './zip.js';

/**
 * Feeds the text of `entry` to `tokenizer`, calling `afterChunk` with the bytes inflated so far
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
  // fatal: bytes that are not UTF-8 are an error, never U+FFFD; ignoreBOM false: a BOM is stripped.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  // Only the decoder's own failure means "not UTF-8"; anything the tokenizer's consumer throws propagates.
  const decode = (chunk: Buffer | undefined): string | null => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      const line = lineOfInvalidByte(tokenizer, chunk ?? Buffer.alloc(0));
      issues.add('csv.invalid_utf8', `${file} is not valid UTF-8 on line ${line}: save it as UTF-8 (not Windows-1252 or Latin-1).`, { file, line });
      return null;
    }
  };
  let bytes = 0;
  try {
    for await (const chunk of zip.read(entry)) {
      bytes += chunk.length;
      const text = decode(chunk);
      if (text === null) return false;
      if (!tokenizer.push(text)) break;
      await afterChunk(bytes);
    }
    if (!tokenizer.failure && !tokenizer.stopped) {
      const text = decode(undefined);
      if (text === null) return false;
      tokenizer.push(text);
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

// The text before the bad byte is the tokenizer's pending text plus the chunk up to the byte.
function lineOfInvalidByte(tokenizer: CsvTokenizer, chunk: Buffer): number {
  let line = tokenizer.nextLine;
  const pending = tokenizer.pending;
  for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n', i + 1)) line++;
  const bad = firstInvalidUtf8(chunk);
  for (let i = chunk.indexOf(10); i >= 0 && i < bad; i = chunk.indexOf(10, i + 1)) line++;
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
