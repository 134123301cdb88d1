import { AppError } from '../errors.js';

/** Exit codes of the `lectern` command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how the command was called: printed with the usage hint, exit 2. */
export class UsageError extends Error {}

/** Prints one JSON document on stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Prints a table of rows with the given columns, sized to fit their content. */
export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (!rows.length) {
    console.log('(none)');
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const widths = columns.map((c) => Math.min(40, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.slice(0, widths[i]).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c]))));
}

/** Reports an error the way a person (or, with --json, a script) can act on; returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  if (err instanceof UsageError) {
    console.error(`lectern: ${err.message}\nRun "lectern help" for usage.`);
    return EXIT.usage;
  }
  if (err instanceof AppError) {
    if (json) printJson(err.toJSON());
    else {
      console.error(`lectern: ${err.message} [${err.code}]`);
      for (const f of err.fields) console.error(`  ${f.field}: ${f.message}`);
    }
    return EXIT.failed;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (json) printJson({ error: { code: 'INTERNAL', message } });
  else console.error(`lectern: ${message}`);
  return EXIT.failed;
}
