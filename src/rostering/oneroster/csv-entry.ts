/*
 * One zip entry's inflated bytes, checked as strict UTF-8, through the CSV tokenizer into batches of
 * records, turning every way that can fail (damaged data, a bomb, bytes that are not UTF-8, broken
 * CSV) into one structural failure with the physical line where it happened. Nothing is decoded
 * here: the bytes are validated a chunk at a time with the native isUtf8, and the tokenizer works on
 * them as they are. The same steps run on the main thread or in the reading thread (reader-thread.ts).
 */
import { isUtf8 } from 'node:buffer';
import { BatchPool, CsvTokenizer, type BatchBuffers, type CsvBatch } from './csv.js';
import { EntryReadError } from './inflate.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Why an entry could not be read to the end: the structural issue to report, as plain data. */
export interface EntryFailure {
  code: 'file.unreadable' | 'zip.bomb' | 'csv.invalid_utf8' | 'csv.unterminated_quote' | 'csv.cr_in_field' | 'csv.line_too_long';
  message: string;
  line: number | null;
}

/**
 * What reading one inflated chunk gave: the records it completed (none while a BOM or a character is
 * cut short), the bytes inflated so far, and the failure that ended the entry at this chunk, if any
 * (the batch then holds the records before it).
 */
export interface EntryStep {
  batch: CsvBatch | null;
  inflated: number;
  failure: EntryFailure | null;
}

/** Options of an entry's tokenizer. */
export interface EntryOptions {
  /** The entry's name, for failure messages. */
  file: string;
  maxRecordLength: number;
}

/**
 * The steps of reading an entry whose inflated bytes `chunks` yields through `entry`; the last one
 * carries the failure, if any. Whoever reads a batch hands its buffers back to the tokenizer's pool.
 */
export async function* entrySteps(chunks: AsyncIterable<Buffer>, entry: EntryTokenizer): AsyncGenerator<EntryStep, void, undefined> {
  let inflated = 0;
  try {
    for await (const chunk of chunks) {
      inflated += chunk.length;
      const batch = entry.push(chunk);
      yield { batch, inflated, failure: entry.failure };
      if (entry.failure) return;
    }
    const batch = entry.end();
    if (batch || entry.failure) yield { batch, inflated, failure: entry.failure };
  } catch (err) {
    if (!(err instanceof EntryReadError)) throw err;
    yield { batch: null, inflated, failure: readFailure(entry.file, err) };
  }
}

/** entrySteps on this thread: a batch's buffers are reused once the next step is asked for. */
export async function* inlineSteps(chunks: AsyncIterable<Buffer>, options: EntryOptions): AsyncGenerator<EntryStep, void, undefined> {
  const pool = new BatchPool();
  for await (const step of entrySteps(chunks, new EntryTokenizer(options, pool))) {
    yield step;
    if (step.batch) pool.put(buffersOf(step.batch));
  }
}

/** The failure of an entry whose data could not be read (see EntryReadError). */
export function readFailure(file: string, err: EntryReadError): EntryFailure {
  return { code: err.code, message: `${file} ${err.message}.`, line: null };
}

/** The buffers a batch lives in (what crosses threads and is handed back). */
export function buffersOf(batch: CsvBatch): BatchBuffers {
  return { bytes: batch.bytes.buffer, records: batch.records.buffer, cells: batch.cells.buffer };
}

/** BOM and UTF-8 checks in front of the CSV tokenizer, for one entry. */
export class EntryTokenizer {
  private readonly csv: CsvTokenizer;
  // The bytes of a character cut by the end of a chunk, held until the next one completes it.
  private carry: Buffer | null = null;
  private first = true;
  failure: EntryFailure | null = null;

  constructor(
    private readonly options: EntryOptions,
    pool: BatchPool,
  ) {
    this.csv = new CsvTokenizer(options.maxRecordLength, pool);
  }

  /** The entry's name. */
  get file(): string {
    return this.options.file;
  }

  /** From now on, computes the idKeys of the cells of `columns` (see CsvTokenizer.keyColumns). */
  hashIds(columns: readonly number[]): void {
    this.csv.keyColumns = columns;
  }

  /** The records `chunk` completes; null when it completes none or fails before tokenizing. */
  push(chunk: Buffer): CsvBatch | null {
    let data: Buffer = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    if (this.first) {
      // A BOM is stripped (once the first three bytes are here to tell).
      if (data.length < BOM.length && BOM.subarray(0, data.length).equals(data)) {
        this.carry = data;
        return null;
      }
      this.first = false;
      if (data.subarray(0, BOM.length).equals(BOM)) data = data.subarray(BOM.length);
    }
    const cut = data.length - incompleteTail(data);
    const whole = cut === data.length ? data : data.subarray(0, cut);
    if (cut < data.length) this.carry = data.subarray(cut);
    if (!isUtf8(whole)) {
      this.invalid(whole);
      return null;
    }
    return this.tokenized(this.csv.push(whole));
  }

  /** The end of the entry: the last record when it has no final newline. */
  end(): CsvBatch | null {
    // A character cut short by the end of the file (a lone BOM prefix too: it is not text either).
    if (this.carry?.length) {
      this.invalid(this.carry);
      return null;
    }
    return this.tokenized(this.csv.end());
  }

  private tokenized<T extends CsvBatch | null>(batch: T): T {
    const failure = this.csv.failure;
    if (failure) {
      this.failure = { code: failure.code, message: `${this.options.file} line ${failure.line}: ${failure.message}. The rest of the file was not read.`, line: failure.line };
    }
    return batch;
  }

  private invalid(block: Buffer): void {
    const line = lineOfInvalidByte(this.csv, block);
    this.failure = { code: 'csv.invalid_utf8', message: `${this.options.file} is not valid UTF-8 on line ${line}: save it as UTF-8 (not Windows-1252 or Latin-1).`, line };
  }
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
