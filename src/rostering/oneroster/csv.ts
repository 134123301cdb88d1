/*
 * A streaming RFC 4180 tokenizer over the raw UTF-8 bytes of a file, written for speed: one loop
 * over the bytes, a lookup table telling the few bytes that matter (comma, quote, CR, LF) from the
 * rest, and records delivered in batches of byte ranges (typed arrays over the chunk's bytes), so
 * nothing is decoded or allocated per cell unless the consumer asks for the text. A batch is plain
 * buffers, so it can cross to another thread without copying (see reader-thread.ts). It tracks the
 * physical line each record starts on and applies the OneRoster restrictions: no carriage return
 * inside a field, and a cap on record length so a missing closing quote cannot make it buffer a
 * whole file.
 */
import { idKeyOf } from './ids.js';

/** Why tokenizing stopped: the rest of the file cannot be read reliably. */
export interface CsvFailure {
  code: 'csv.unterminated_quote' | 'csv.cr_in_field' | 'csv.line_too_long';
  line: number;
  message: string;
}

/** Per-record findings that do not stop tokenizing (bit flags). */
export const QUIRK = {
  /** A `"` inside an unquoted field, kept literally. */
  strayQuote: 1,
  /** Text after the closing quote of a field, kept literally. */
  textAfterQuote: 2,
} as const;

/** Record flags beside the QUIRK bits: a byte above 0x7f, a C0 control character in a cell. */
const WIDE = 4;
const CONTROLS = 8;
const QUIRKS = QUIRK.strayQuote | QUIRK.textAfterQuote;

/** Ints per record in CsvBatch.records: its line, its flags, the index of its first cell. */
const RECORD = 3;
/** Ints per cell in CsvBatch.cells: start, end, key. */
const CELL = 3;
/** The key of a cell whose range is raw quoted text (doubled quotes, text after the quote) to unescape. */
const RAW = -1;
/** The key of an exact cell whose idKey was not computed. */
const NO_KEY = -2;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const BARE_CR = 'a carriage return that does not end a line (old Mac line endings or a stray CR)';
const EMPTY = Buffer.alloc(0);

// Bytes the scan loop stops at: those that end or change an unquoted cell, control characters
// (noted, for the row reader to check), and non-ASCII bytes (noted, so an all-ASCII record can be
// decoded in one call and sliced).
const SPECIAL = new Uint8Array(256);
SPECIAL.fill(1, 0, 0x20);
for (const c of [QUOTE, COMMA]) SPECIAL[c] = 1;
SPECIAL.fill(1, 0x80);

/**
 * The complete records of one chunk: `count` records over `bytes`. `records` holds RECORD ints per
 * record and, after the last, the number of cells; `cells` holds CELL ints per cell. Read it through
 * CsvRow.view.
 */
export interface CsvBatch {
  bytes: Buffer;
  count: number;
  records: Int32Array;
  cells: Int32Array;
}

/**
 * One record as byte ranges: a view of a batch (valid until the batch is recycled) or cells laid out
 * with reset/push. Iterating it (or `text(i)`) decodes cells; the byte accessors do not.
 */
export class CsvRow implements Iterable<string> {
  /** The bytes the ranges point into. */
  bytes: Buffer = EMPTY;
  /** Cells in the record. */
  length = 0;
  /** The physical line the record starts on (set by view). */
  line = 0;
  /** The record's QUIRK flags (set by view). */
  quirks = 0;
  /** Whether the record holds a byte above 0x7f. */
  wide = false;
  /** Whether a cell of the record holds a C0 control character (tab and line feeds in quoted cells included). */
  controls = false;
  /** CELL ints per cell, the record's first at `first`: the batch's, or `own` for cells pushed one by one. */
  private cells: Int32Array;
  private first = 0;
  private own = new Int32Array(32 * CELL);
  /** The record's text, decoded on first use when it is all ASCII (byte offsets are then char offsets). */
  private decoded: string | null = null;

  constructor() {
    this.cells = this.own;
  }

  /** Where cell `i` starts in `bytes`. */
  start(i: number): number {
    return this.cells[this.first + i * CELL] as number;
  }

  /** Where cell `i` ends in `bytes` (exclusive). */
  end(i: number): number {
    return this.cells[this.first + i * CELL + 1] as number;
  }

  /** Whether the range of cell `i` is its exact value (no quote escapes to undo). */
  exact(i: number): boolean {
    return this.cells[this.first + i * CELL + 2] !== RAW;
  }

  /** The idKey of exact cell `i` (computed by the tokenizer when it was asked to, here otherwise). */
  key(i: number): number {
    const at = this.first + i * CELL;
    const key = this.cells[at + 2] as number;
    return key >= 0 ? key : idKeyOf(this.bytes, this.cells[at] as number, this.cells[at + 1] as number);
  }

  /** Whether cell `i` is blank. */
  blank(i: number): boolean {
    return this.start(i) === this.end(i);
  }

  /** The decoded text of cell `i`. */
  text(i: number): string {
    const start = this.start(i);
    const end = this.end(i);
    // A blank cell (a blank password, most often) is not worth decoding the record for.
    if (start === end) return '';
    let text: string;
    if (this.wide) text = this.bytes.toString('utf8', start, end);
    else {
      const first = this.start(0);
      this.decoded ??= this.bytes.toString('latin1', first, this.end(this.length - 1));
      text = this.decoded.slice(start - first, end - first);
    }
    return this.exact(i) ? text : unescape(text);
  }

  /** Every cell, decoded. */
  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.length; i++) yield this.text(i);
  }

  /** Points the row at record `r` of `batch`. */
  view(batch: CsvBatch, r: number): void {
    const records = batch.records;
    const at = r * RECORD;
    const flags = records[at + 1] as number;
    const first = records[at + 2] as number;
    this.bytes = batch.bytes;
    this.cells = batch.cells;
    this.first = first * CELL;
    this.length = (records[at + RECORD + 2] as number) - first;
    this.line = records[at] as number;
    this.quirks = flags & QUIRKS;
    this.wide = (flags & WIDE) !== 0;
    this.controls = (flags & CONTROLS) !== 0;
    this.decoded = null;
  }

  /** Starts a record over `bytes` whose cells are then pushed one by one. */
  reset(bytes: Buffer): void {
    this.bytes = bytes;
    this.cells = this.own;
    this.first = 0;
    this.length = 0;
    this.line = 0;
    this.quirks = 0;
    this.wide = false;
    this.controls = false;
    this.decoded = null;
  }

  /** Appends a cell (`raw` 1 when its range is quoted text to unescape). */
  push(start: number, end: number, raw: number): void {
    const at = this.length++ * CELL;
    if (at + CELL > this.own.length) {
      const bigger = new Int32Array(this.own.length * 2);
      bigger.set(this.own);
      this.own = this.cells = bigger;
    }
    this.own[at] = start;
    this.own[at + 1] = end;
    this.own[at + 2] = raw ? RAW : NO_KEY;
  }
}

/** Whether `text` holds a C0 control character: rows built from other sources set CsvRow.controls by it. */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

// The text of a quoted cell after its opening quote: "" is a quote, a lone " closes the quoted part
// and whatever follows it is kept literally.
function unescape(s: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) return out + s.slice(from);
    if (s.charCodeAt(q + 1) === QUOTE) {
      out += s.slice(from, q + 1);
      from = q + 2;
      continue;
    }
    return out + s.slice(from, q) + s.slice(q + 1);
  }
}

// A record that runs past the bytes held.
const INCOMPLETE = -1;

/** The buffers a batch lives in: what crosses threads, and what is handed back once the batch is read. */
export interface BatchBuffers {
  bytes: ArrayBufferLike;
  records: ArrayBufferLike;
  cells: ArrayBufferLike;
}

/**
 * Where the tokenizer's buffers come from: new ones, and those of batches that have been read, to
 * fill again instead of allocating. `shared` pools allocate SharedArrayBuffers, which cross to
 * another thread and back without a copy or a transfer.
 */
export class BatchPool {
  private readonly spare: BatchBuffers[] = [];

  constructor(private readonly shared = false) {}

  /** A new zero-filled buffer of `bytes` bytes. */
  allocate(bytes: number): ArrayBufferLike {
    return this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }

  /** Buffers to reuse, if any. */
  take(): BatchBuffers | undefined {
    return this.spare.pop();
  }

  /** Hands back the buffers of a batch that has been read (a few are kept). */
  put(buffers: BatchBuffers): void {
    if (this.spare.length < 8) this.spare.push(buffers);
  }
}

/** Splits CSV, pushed as UTF-8 bytes in chunks of any size, into batches of records. */
export class CsvTokenizer {
  private rest: Buffer = EMPTY;
  /** Physical line on which `rest` (the next record) starts. */
  private line = 1;
  /** The batch being filled: its bytes, records and cells, and how many of each. */
  private bytes: Buffer = EMPTY;
  private records: Int32Array = new Int32Array(0);
  private cells: Int32Array = new Int32Array(0);
  private recordCount = 0;
  private cellCount = 0;
  /** QUIRK, WIDE and CONTROLS flags of the record being tokenized. */
  private flags = 0;
  /** Set once tokenizing has failed; later pushes are ignored. */
  failure: CsvFailure | null = null;
  /**
   * Columns whose cells get their idKey computed here (the ids, once the header has told which they
   * are): the reading thread does it, so that the row checks on the main thread need not hash them.
   */
  keyColumns: readonly number[] = [];

  constructor(
    private readonly maxRecordLength: number,
    /** Where batch buffers come from; whoever reads a batch hands its buffers back there. */
    private readonly pool = new BatchPool(),
  ) {}

  /** The physical line the next record starts on (for errors found outside the tokenizer). */
  get nextLine(): number {
    return this.line;
  }

  /** The bytes held back as an incomplete record. */
  get pending(): Buffer {
    return this.rest;
  }

  /**
   * Tokenizes `chunk` (UTF-8 bytes) after the bytes held back; returns the batch of records it
   * completes, which holds the records before the failure when tokenizing fails (see `failure`).
   */
  push(chunk: Uint8Array): CsvBatch {
    const size = this.rest.length + chunk.length;
    this.begin(size);
    const b = this.bytes.subarray(0, size);
    this.rest.copy(b);
    b.set(chunk, this.rest.length);
    const p = this.failure ? 0 : this.tokenize(b);
    // The incomplete record is copied out: the batch's bytes go to its reader.
    this.rest = this.failure ? EMPTY : Buffer.from(b.subarray(p));
    if (this.rest.length > this.maxRecordLength) this.tooLong();
    return this.batch(b.subarray(0, p));
  }

  /** Ends the input: a last record without a final newline is still a record. Null when there is none. */
  end(): CsvBatch | null {
    if (this.failure || !this.rest.length) return null;
    const batch = this.push(NEWLINE);
    // Still pending after a newline: only an open quoted field swallows it.
    if (this.rest.length && !this.failure) this.fail('csv.unterminated_quote', this.line, 'a quoted field opened here is never closed');
    return batch;
  }

  // Starts a batch whose bytes hold at least `size` bytes, on recycled buffers when they are big enough.
  private begin(size: number): void {
    const spare = this.pool.take();
    const pool = this.pool;
    this.bytes = Buffer.from(spare && spare.bytes.byteLength >= size ? spare.bytes : pool.allocate(Math.max(size, 64 * 1024)));
    this.records = new Int32Array(spare ? spare.records : pool.allocate(1024 * RECORD * 4));
    this.cells = new Int32Array(spare ? spare.cells : pool.allocate(8192 * CELL * 4));
    this.recordCount = 0;
    this.cellCount = 0;
  }

  // The batch of the records tokenized since begin(), over `bytes`.
  private batch(bytes: Buffer): CsvBatch {
    this.ensureRecords();
    this.records[this.recordCount * RECORD + 2] = this.cellCount;
    if (this.keyColumns.length) this.hashKeys(bytes);
    return { bytes, count: this.recordCount, records: this.records, cells: this.cells };
  }

  // Computes the idKey of every exact cell of the key columns of the batch's records.
  private hashKeys(bytes: Buffer): void {
    const records = this.records;
    const cells = this.cells;
    for (let r = 0; r < this.recordCount; r++) {
      const first = records[r * RECORD + 2] as number;
      const count = (records[(r + 1) * RECORD + 2] as number) - first;
      for (const column of this.keyColumns) {
        const at = (first + column) * CELL;
        if (column < count && cells[at + 2] !== RAW) cells[at + 2] = idKeyOf(bytes, cells[at] as number, cells[at + 1] as number);
      }
    }
  }

  // Tokenizes every complete record of `b`; returns where the first incomplete one starts.
  private tokenize(b: Buffer): number {
    let p = 0;
    while (p < b.length) {
      const cells = this.cellCount;
      const next = this.record(b, p);
      if (next < 0) {
        // The cells of a record that is not complete are not the batch's.
        this.cellCount = cells;
        break;
      }
      p = next;
    }
    return p;
  }

  /**
   * Tokenizes the record at `p` into the batch. Returns the index after its line feed, or
   * INCOMPLETE when it runs past the bytes held or tokenizing failed.
   */
  private record(b: Buffer, p: number): number {
    const n = b.length;
    const limit = p + this.maxRecordLength;
    const firstCell = this.cellCount;
    this.flags = 0;
    let newlines = 0;
    let i = p;
    for (;;) {
      if (b[i] === QUOTE) {
        const from = i + 1;
        let raw = 0;
        let j = from;
        // The quoted part: up to a quote that is not doubled.
        for (;;) {
          while (j < n) {
            const c = b[j] as number;
            if (c === QUOTE) break;
            if (c > 0x7f) this.flags |= WIDE;
            else if (c < 0x20) {
              if (c === CR) return this.fail('csv.cr_in_field', this.line + newlines, 'a carriage return inside a quoted field (OneRoster forbids them; write line breaks as LF)');
              if (c === LF) newlines++;
              this.flags |= CONTROLS;
            }
            j++;
          }
          if (j + 1 >= n) return j > limit ? this.tooLong(' (usually a quote that is never closed)') : INCOMPLETE;
          if (b[j + 1] !== QUOTE) break;
          raw = 1;
          j += 2;
        }
        i = j + 1;
        const c = b[i] as number;
        if (c === COMMA || c === LF || c === CR) this.cell(from, j, raw);
        else {
          // Text after the closing quote is kept: the cell's range is everything after the opening quote.
          this.flags |= QUIRK.textAfterQuote;
          i = this.unquoted(b, i);
          this.cell(from, i, 1);
        }
      } else {
        const from = i;
        // The scan of an unquoted cell, inlined: it is the loop most bytes go through.
        while (i < n && SPECIAL[b[i] as number] === 0) i++;
        if (i < n && b[i] !== COMMA && b[i] !== LF && b[i] !== CR) i = this.unquoted(b, i);
        this.cell(from, i, 0);
      }
      if (i >= n) return i > limit ? this.tooLong() : INCOMPLETE;
      const c = b[i];
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === CR) {
        if (i + 1 >= n) return INCOMPLETE;
        if (b[i + 1] !== LF) return this.fail('csv.cr_in_field', this.line, BARE_CR);
      }
      if (i > limit) return this.tooLong();
      this.ensureRecords();
      const at = this.recordCount++ * RECORD;
      this.records[at] = this.line;
      this.records[at + 1] = this.flags;
      this.records[at + 2] = firstCell;
      this.line += 1 + newlines;
      return c === CR ? i + 2 : i + 1;
    }
  }

  private cell(start: number, end: number, raw: number): void {
    const at = this.cellCount++ * CELL;
    if (at + CELL > this.cells.length) {
      const bigger = new Int32Array(this.pool.allocate(this.cells.byteLength * 2));
      bigger.set(this.cells);
      this.cells = bigger;
    }
    this.cells[at] = start;
    this.cells[at + 1] = end;
    this.cells[at + 2] = raw ? RAW : NO_KEY;
  }

  // Room for one more record and the closing cell count.
  private ensureRecords(): void {
    if ((this.recordCount + 2) * RECORD <= this.records.length) return;
    const bigger = new Int32Array(this.pool.allocate(this.records.byteLength * 2));
    bigger.set(this.records);
    this.records = bigger;
  }

  // The end of unquoted text at `i`: the next comma, CR, LF or the end of the bytes. A quote in it is
  // a stray quote (kept), a byte above 0x7f marks the record wide, another control character marks it
  // as holding controls.
  private unquoted(b: Buffer, i: number): number {
    const n = b.length;
    for (;;) {
      while (i < n && SPECIAL[b[i] as number] === 0) i++;
      if (i >= n) return i;
      const c = b[i] as number;
      if (c === QUOTE) this.flags |= QUIRK.strayQuote;
      else if (c > 0x7f) this.flags |= WIDE;
      else if (c < 0x20 && c !== LF && c !== CR) this.flags |= CONTROLS;
      else return i;
      i++;
    }
  }

  private tooLong(hint = ''): number {
    return this.fail('csv.line_too_long', this.line, `a record longer than ${this.maxRecordLength} characters starts here${hint}`);
  }

  private fail(code: CsvFailure['code'], line: number, message: string): number {
    this.failure = { code, line, message };
    this.rest = EMPTY;
    return INCOMPLETE;
  }
}

const NEWLINE = Buffer.from('\n');
