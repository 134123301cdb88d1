/*
 * A streaming RFC 4180 tokenizer over decoded text, written for speed: a record without a double
 * quote (nearly all of them) is split with native indexOf calls and slices; only records holding a
 * quote take the character loop. It tracks the physical line each record starts on and applies the
 * OneRoster restrictions: no carriage return inside a field, and a cap on record length so a
 * missing closing quote cannot make it buffer a whole file.
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

/**
 * Receives each record: its cells (the array is reused, copy it to keep it), the physical line it
 * starts on, and its QUIRK flags. A blank line arrives as a single empty cell.
 */
export type RecordSink = (cells: string[], line: number, quirks: number) => void;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const BARE_CR = 'a carriage return that does not end a line (old Mac line endings or a stray CR)';

/** Splits decoded CSV text, pushed in chunks of any size, into records. */
export class CsvTokenizer {
  private rest = '';
  /** Physical line on which `rest` (the next record) starts. */
  private line = 1;
  private readonly cells: string[] = [];
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

  /** The text held back as an incomplete record. */
  get pending(): string {
    return this.rest;
  }

  /** Makes every later push a no-op (the consumer has seen enough, e.g. an unusable header). */
  stop(): void {
    this.stopped = true;
    this.rest = '';
  }

  /** Tokenizes `chunk`; returns false once tokenizing has failed or been stopped. */
  push(chunk: string): boolean {
    if (this.failure || this.stopped) return false;
    const s = this.rest.length ? this.rest + chunk : chunk;
    const n = s.length;
    const cells = this.cells;
    let p = 0;
    // Next quote and carriage return at or after p (n when none): one native scan each, reused.
    let q = s.indexOf('"');
    if (q < 0) q = n;
    let cr = s.indexOf('\r');
    if (cr < 0) cr = n;
    while (p < n) {
      const nl = s.indexOf('\n', p);
      if (nl < 0) break;
      if (q < nl) {
        const next = this.quoted(s, p, cr);
        if (this.failure || this.stopped) return false;
        if (next < 0) break;
        p = next;
        q = s.indexOf('"', p);
        if (q < 0) q = n;
        if (cr < p) {
          cr = s.indexOf('\r', p);
          if (cr < 0) cr = n;
        }
        continue;
      }
      let end = nl;
      if (cr < nl) {
        if (cr !== nl - 1) {
          this.fail('csv.cr_in_field', this.line, BARE_CR);
          return false;
        }
        end = cr;
        cr = s.indexOf('\r', nl + 1);
        if (cr < 0) cr = n;
      }
      if (end - p > this.maxRecordLength) {
        this.tooLong(this.line);
        return false;
      }
      cells.length = 0;
      let a = p;
      for (;;) {
        const c = s.indexOf(',', a);
        if (c < 0 || c >= end) {
          cells.push(s.slice(a, end));
          break;
        }
        cells.push(s.slice(a, c));
        a = c + 1;
      }
      this.onRecord(cells, this.line, 0);
      this.line++;
      p = nl + 1;
      if (this.stopped) return false;
    }
    this.rest = p === 0 ? s : s.slice(p);
    if (this.rest.length > this.maxRecordLength) {
      this.tooLong(this.line);
      return false;
    }
    return true;
  }

  /** Ends the input: a last record without a final newline is still a record. */
  end(): boolean {
    if (this.failure || this.stopped) return false;
    if (!this.rest.length) return true;
    if (!this.push('\n')) return false;
    // Still pending after a newline: only an open quoted field swallows it.
    if (this.rest.length) {
      this.fail('csv.unterminated_quote', this.line, 'a quoted field opened here is never closed');
      return false;
    }
    return true;
  }

  /**
   * Tokenizes the record at `p`, which holds a quote, character by character. `cr` is the first
   * carriage return at or after `p` (or the text length). Returns the index after the record's line
   * feed, or -1 when the record continues past the text held or tokenizing failed.
   */
  private quoted(s: string, p: number, cr: number): number {
    const n = s.length;
    const cells = this.cells;
    const limit = p + this.maxRecordLength;
    cells.length = 0;
    let quirks = 0;
    let newlines = 0;
    let i = p;
    for (;;) {
      let value: string;
      if (i < n && s.charCodeAt(i) === QUOTE) {
        value = '';
        let from = ++i;
        for (;;) {
          const close = s.indexOf('"', i);
          if (close > limit || (close < 0 && n > limit)) return this.tooLong(this.line, ' (usually a quote that is never closed)');
          if (close < 0) return -1;
          if (cr < i) {
            cr = s.indexOf('\r', i);
            if (cr < 0) cr = n;
          }
          if (cr < close) return this.failAt('csv.cr_in_field', 'a carriage return inside a quoted field (OneRoster forbids them; write line breaks as LF)', s, p, cr);
          for (let nl = s.indexOf('\n', i); nl >= 0 && nl < close; nl = s.indexOf('\n', nl + 1)) newlines++;
          if (close + 1 >= n) return -1;
          if (s.charCodeAt(close + 1) === QUOTE) {
            value += s.slice(from, close + 1);
            i = from = close + 2;
            continue;
          }
          value += s.slice(from, close);
          i = close + 1;
          break;
        }
        const c = s.charCodeAt(i);
        if (c !== COMMA && c !== LF && c !== CR) quirks |= QUIRK.textAfterQuote;
      } else value = '';
      // Unquoted text (a whole cell, or stray text after a closing quote) runs to a comma or line end.
      const stop = this.cellEnd(s, i);
      if (stop < 0) return -1;
      if (stop > i) {
        const quote = s.indexOf('"', i);
        if (quote >= 0 && quote < stop) quirks |= QUIRK.strayQuote;
        value += s.slice(i, stop);
      }
      cells.push(value);
      const c = s.charCodeAt(stop);
      if (c === COMMA) {
        i = stop + 1;
        continue;
      }
      const next = stop + (c === CR ? 2 : 1);
      if (next - p > this.maxRecordLength) return this.tooLong(this.line);
      this.onRecord(cells, this.line, quirks);
      this.line += 1 + newlines;
      return this.stopped ? -1 : next;
    }
  }

  /**
   * The index of the comma, CR-LF or LF ending the unquoted text at `i`, or -1 when it runs past
   * the text held or tokenizing failed on a carriage return that ends no line.
   */
  private cellEnd(s: string, i: number): number {
    const n = s.length;
    for (let j = i; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c === COMMA || c === LF) return j;
      if (c === CR) {
        if (j + 1 >= n) return -1;
        if (s.charCodeAt(j + 1) === LF) return j;
        return this.fail('csv.cr_in_field', this.line, BARE_CR);
      }
    }
    return -1;
  }

  private tooLong(line: number, hint = ''): -1 {
    this.fail('csv.line_too_long', line, `a record longer than ${this.maxRecordLength} characters starts here${hint}`);
    return -1;
  }

  private failAt(code: CsvFailure['code'], message: string, s: string, p: number, at: number): number {
    let line = this.line;
    for (let nl = s.indexOf('\n', p); nl >= 0 && nl < at; nl = s.indexOf('\n', nl + 1)) line++;
    this.fail(code, line, message);
    return -1;
  }

  private fail(code: CsvFailure['code'], line: number, message: string): -1 {
    this.failure = { code, line, message };
    this.rest = '';
    return -1;
  }
}
