/*
 * A streaming RFC 4180 tokenizer over the raw UTF-8 bytes of a file, written for speed: one loop
 * over the bytes, a lookup table telling the few bytes that matter (comma, quote, CR, LF) from the
 * rest, and cells delivered as byte ranges of the chunk, so nothing is decoded or allocated per
 * cell unless the consumer asks for the text. It tracks the physical line each record starts on
 * and applies the OneRoster restrictions: no carriage return inside a field, and a cap on record
 * length so a missing closing quote cannot make it buffer a whole file.
 */

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
 * One record as byte ranges of the chunk being tokenized: valid only during the callback that
 * receives it. Iterating it (or `text(i)`) decodes cells; the byte accessors do not.
 */
export class CsvRow implements Iterable<string> {
  /** The bytes the ranges point into. */
  bytes: Buffer = EMPTY;
  /** Cells in the record. */
  length = 0;
  private starts = new Int32Array(32);
  private ends = new Int32Array(32);
  /** 1 for a cell whose range is raw quoted text (doubled quotes, text after the quote) to unescape. */
  private raw = new Uint8Array(32);
  /** Whether the record holds a byte above 0x7f. */
  wide = false;
  /** Whether a cell of the record holds a C0 control character (tab and line feeds in quoted cells included). */
  controls = false;
  /** The record's text, decoded on first use when it is all ASCII (byte offsets are then char offsets). */
  private decoded: string | null = null;

  /** Where cell `i` starts in `bytes`. */
  start(i: number): number {
    return this.starts[i] as number;
  }

  /** Where cell `i` ends in `bytes` (exclusive). */
  end(i: number): number {
    return this.ends[i] as number;
  }

  /** Whether the range of cell `i` is its exact value (no quote escapes to undo). */
  exact(i: number): boolean {
    return this.raw[i] === 0;
  }

  /** Whether cell `i` is blank. */
  blank(i: number): boolean {
    return this.starts[i] === this.ends[i];
  }

  /** The decoded text of cell `i`. */
  text(i: number): string {
    const start = this.starts[i] as number;
    const end = this.ends[i] as number;
    let text: string;
    if (this.wide) text = this.bytes.toString('utf8', start, end);
    else {
      const first = this.starts[0] as number;
      this.decoded ??= this.bytes.toString('latin1', first, this.ends[this.length - 1]);
      text = this.decoded.slice(start - first, end - first);
    }
    return this.raw[i] === 0 ? text : unescape(text);
  }

  /** Every cell, decoded. */
  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.length; i++) yield this.text(i);
  }

  /** Starts a new record over `bytes`. */
  reset(bytes: Buffer): void {
    this.bytes = bytes;
    this.length = 0;
    this.wide = false;
    this.controls = false;
    this.decoded = null;
  }

  /** Appends a cell. */
  push(start: number, end: number, raw: number): void {
    const i = this.length++;
    if (i === this.starts.length) this.widen();
    this.starts[i] = start;
    this.ends[i] = end;
    this.raw[i] = raw;
  }

  private widen(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const raw = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    raw.set(this.raw);
    this.starts = starts;
    this.ends = ends;
    this.raw = raw;
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

/**
 * Receives each record (a view reused for the next record: decode what you keep), the physical
 * line it starts on, and its QUIRK flags. A blank line arrives as a single empty cell.
 */
export type RecordSink = (row: CsvRow, line: number, quirks: number) => void;

// A record that runs past the bytes held.
const INCOMPLETE = -1;

/** Splits CSV, pushed as UTF-8 bytes (or text) in chunks of any size, into records. */
export class CsvTokenizer {
  private rest: Buffer = EMPTY;
  /** A high surrogate that ended the last text pushed, kept to join its low half. */
  private surrogate = '';
  /** Physical line on which `rest` (the next record) starts. */
  private line = 1;
  private readonly row = new CsvRow();
  /** QUIRK flags of the record being tokenized. */
  private quirks = 0;
  /** Set once tokenizing has failed; later pushes are ignored. */
  failure: CsvFailure | null = null;
  /** Set by stop(): the consumer needs no more records. */
  stopped = false;

  constructor(
    private readonly onRecord: RecordSink,
    private readonly maxRecordLength: number,
  ) {}

  /** The physical line the next record starts on (for errors found outside the tokenizer). */
  get nextLine(): number {
    return this.line;
  }

  /** The bytes held back as an incomplete record. */
  get pending(): Buffer {
    return this.rest;
  }

  /** Makes every later push a no-op (the consumer has seen enough, e.g. an unusable header). */
  stop(): void {
    this.stopped = true;
    this.rest = EMPTY;
  }

  /** Tokenizes `chunk` (UTF-8 bytes, or text); returns false once tokenizing has failed or been stopped. */
  push(chunk: Buffer | string): boolean {
    if (this.failure || this.stopped) return false;
    const bytes = typeof chunk === 'string' ? this.encode(chunk) : chunk;
    let b = bytes;
    if (this.rest.length) {
      // The record cut by the last chunk nearly always ends at the first line feed of this one:
      // finish it from a small join instead of copying the whole chunk behind it.
      const lf = bytes.indexOf(LF);
      const joined = lf >= 0 ? Buffer.concat([this.rest, bytes.subarray(0, lf + 1)]) : null;
      if (joined && this.records(joined) === joined.length) b = bytes.subarray(lf + 1);
      else if (this.failure || this.stopped) return false;
      else b = Buffer.concat([this.rest, bytes]);
    }
    const p = this.records(b);
    if (this.failure || this.stopped) return false;
    // The incomplete record is kept as a view: chunks are fresh buffers, never reused by the caller.
    this.rest = b.subarray(p);
    if (this.rest.length > this.maxRecordLength) {
      this.tooLong();
      return false;
    }
    return true;
  }

  // Tokenizes every complete record of `b`; returns where the first incomplete one starts.
  private records(b: Buffer): number {
    let p = 0;
    while (p < b.length) {
      const next = this.record(b, p);
      if (next < 0 || this.stopped) break;
      p = next;
    }
    return p;
  }

  /** Ends the input: a last record without a final newline is still a record. */
  end(): boolean {
    if (this.failure || this.stopped) return false;
    if (this.surrogate) this.push('');
    if (!this.rest.length) return true;
    if (!this.push('\n')) return false;
    // Still pending after a newline: only an open quoted field swallows it.
    if (this.rest.length) {
      this.fail('csv.unterminated_quote', this.line, 'a quoted field opened here is never closed');
      return false;
    }
    return true;
  }

  // Text to UTF-8, holding back a trailing high surrogate until its low half arrives.
  private encode(text: string): Buffer {
    let s = this.surrogate + text;
    this.surrogate = '';
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last <= 0xdbff && text !== '') {
      this.surrogate = s.slice(-1);
      s = s.slice(0, -1);
    }
    return Buffer.from(s);
  }

  /**
   * Tokenizes the record at `p` and hands it to the sink. Returns the index after its line feed,
   * or INCOMPLETE when it runs past the bytes held or tokenizing failed.
   */
  private record(b: Buffer, p: number): number {
    const n = b.length;
    const row = this.row;
    const limit = p + this.maxRecordLength;
    row.reset(b);
    this.quirks = 0;
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
            if (c > 0x7f) row.wide = true;
            else if (c < 0x20) {
              if (c === CR) return this.fail('csv.cr_in_field', this.line + newlines, 'a carriage return inside a quoted field (OneRoster forbids them; write line breaks as LF)');
              if (c === LF) newlines++;
              row.controls = true;
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
        if (c === COMMA || c === LF || c === CR) row.push(from, j, raw);
        else {
          // Text after the closing quote is kept: the cell's range is everything after the opening quote.
          this.quirks |= QUIRK.textAfterQuote;
          i = this.unquoted(b, i);
          row.push(from, i, 1);
        }
      } else {
        const from = i;
        i = this.unquoted(b, i);
        row.push(from, i, 0);
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
      this.onRecord(row, this.line, this.quirks);
      this.line += 1 + newlines;
      return c === CR ? i + 2 : i + 1;
    }
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
      if (c === QUOTE) this.quirks |= QUIRK.strayQuote;
      else if (c > 0x7f) this.row.wide = true;
      else if (c < 0x20 && c !== LF && c !== CR) this.row.controls = true;
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
