import { Readable } from 'node:stream';
import type { RunIssue } from './run-repository.js';

const COLUMNS = ['file', 'line', 'column', 'sourcedId', 'severity', 'code', 'message'] as const;

/** RFC 4180 quoting, plus a leading quote mark for cells a spreadsheet would run as a formula. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return csvQuote(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
}

/** RFC 4180 quoting only, the value kept exactly: for files programs read back (a OneRoster bundle). */
export function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Streams a run's issues as CSV. Issues hold messages and ids only: the reader never quotes a row of
 * the wrong width, nor any value equal to its row's password, and plan issues quote no values, so
 * the download cannot leak one (passwords.test.ts).
 */
export function issuesToCsv(issues: AsyncIterable<RunIssue>): Readable {
  async function* lines() {
    yield `${COLUMNS.join(',')}\r\n`;
    for await (const i of issues) yield `${COLUMNS.map((c) => csvCell(i[c])).join(',')}\r\n`;
  }
  return Readable.from(lines());
}
