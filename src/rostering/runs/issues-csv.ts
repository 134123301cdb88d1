import { Readable } from 'node:stream';
import type { RunIssue } from './run-repository.js';

const COLUMNS = ['file', 'line', 'column', 'sourcedId', 'severity', 'code', 'message'] as const;

/** RFC 4180 quoting, plus a leading quote mark for cells a spreadsheet would run as a formula. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
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
