import type { ExportEntry, ExportZip } from './export-zip.js';

/** A cell as the export writes it: text, a number, or nothing. */
export type Cell = string | number | null;

/** One CSV file of the export: its header, its rows, and how a row becomes cells in header order. */
export interface CsvTable<R> {
  header: readonly string[];
  rows: AsyncIterable<R>;
  cells: (row: R) => readonly Cell[];
  /** csvCell (formula-safe, for people's spreadsheets) or csvQuote (the value exactly, for OneRoster files). */
  quote: (text: string) => string;
}

// A zip entry takes chunks of about this size, not a line at a time.
const CHUNK = 64 * 1024;

/**
 * A CSV table as text chunks of about 64 KiB: the header, then one CRLF line per row. Rows are read
 * as the chunks are, so memory holds one chunk whatever the table's size; `count.rows` counts them.
 */
export async function* csvChunks<R>(table: CsvTable<R>, count: { rows: number }): AsyncGenerator<string> {
  const { header, rows, cells, quote } = table;
  let chunk = `${header.map(quote).join(',')}\r\n`;
  for await (const row of rows) {
    chunk += `${cells(row)
      .map((c) => (c === null ? '' : quote(String(c))))
      .join(',')}\r\n`;
    count.rows++;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Writes `table` as the zip entry `path`, with its row count. */
export async function addCsv<R>(zip: ExportZip, path: string, table: CsvTable<R>): Promise<ExportEntry> {
  const count = { rows: 0 };
  return zip.add(path, csvChunks(table, count), { count });
}

/**
 * Writes `table` only if it has a row (a OneRoster file may not be empty: one with nothing to send
 * is declared absent). The first row is read before the entry starts; the rows' cursor is closed
 * whatever happens, since an open one would hold the snapshot's connection.
 */
export async function addCsvIfAny<R>(zip: ExportZip, path: string, table: Omit<CsvTable<R>, 'rows'> & { rows: AsyncIterator<R> }): Promise<ExportEntry | null> {
  const rows = table.rows;
  try {
    const first = await rows.next();
    if (first.done) return null;
    async function* all(): AsyncGenerator<R> {
      yield first.value as R;
      for (let next = await rows.next(); !next.done; next = await rows.next()) yield next.value;
    }
    return await addCsv(zip, path, { ...table, rows: all() });
  } finally {
    await rows.return?.();
  }
}
