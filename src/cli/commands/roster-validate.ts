import path from 'node:path';
import { ISSUE_CODES, type Issue } from '../../rostering/oneroster/issues.js';
import { readBundle, type BundleReport } from '../../rostering/oneroster/reader.js';
import { printJson } from '../output.js';
import { progressBar } from '../progress.js';

/** Exit codes of `lectern roster validate` (DESIGN.md). */
export const VALIDATE_EXIT = { valid: 0, errors: 1, unusable: 2 } as const;

/** Arguments of `lectern roster validate BUNDLE.zip [--json] [--max-issues N]`. */
export interface RosterValidateArgs {
  file: string;
  json: boolean;
  /** Issues listed (never counted) at most; default: 5 per code in text, every kept one in JSON. */
  maxIssues?: number;
}

const EXAMPLES_PER_CODE = 5;

/**
 * Validates a roster bundle without a database: a summary on stdout (or, with `json`, DESIGN.md's
 * validate document), a progress bar on stderr when it is a terminal. Returns the exit code:
 * 0 valid (warnings allowed), 1 errors, 2 unusable input.
 */
export async function rosterValidate(args: RosterValidateArgs): Promise<number> {
  const bar = progressBar('Validating');
  const report = await readBundle(args.file, {
    onProgress: (p) => bar.update(p.bytes, p.totalBytes, () => `${p.file} ${p.rows.toLocaleString('en-US')} rows`),
    maxIssueExamples: args.maxIssues === undefined ? undefined : Math.max(args.maxIssues, 1),
  });
  bar.done();
  if (args.json) printJson(jsonReport(report, args.maxIssues));
  else printSummary(path.basename(args.file), report, args.maxIssues);
  return report.unusable ? VALIDATE_EXIT.unusable : report.valid ? VALIDATE_EXIT.valid : VALIDATE_EXIT.errors;
}

/** DESIGN.md's `{valid, version, files, issues}` plus counts; `issues` lists at most `maxIssues`. */
export function jsonReport(report: BundleReport, maxIssues?: number): Record<string, unknown> {
  const issues = maxIssues === undefined ? report.issues : report.issues.slice(0, maxIssues);
  return {
    valid: report.valid,
    unusable: report.unusable,
    version: report.version,
    files: report.files.map(({ name, mode, rows, rejected }) => ({ name, mode, rows, rejected })),
    issues,
    issueCounts: report.issueCounts,
    issuesListed: issues.length,
    issuesTotal: report.errors + report.warnings + report.infos,
    errors: report.errors,
    warnings: report.warnings,
    infos: report.infos,
  };
}

function printSummary(name: string, report: BundleReport, maxIssues?: number): void {
  const verdict = report.unusable ? 'UNUSABLE: nothing in it can be applied' : report.valid ? 'VALID' : 'HAS ERRORS: rows with errors will not be applied';
  console.log(`${name}: OneRoster ${report.version ?? '(unknown version)'} — ${verdict}`);
  console.log(`${report.errors} error(s), ${report.warnings} warning(s), ${report.infos} note(s)`);
  if (report.files.length) {
    console.log('');
    const rows = report.files.map((f) => [f.name, f.mode, f.mode === 'absent' ? '' : String(f.rows), f.rejected ? String(f.rejected) : '']);
    table([['file', 'mode', 'rows', 'rejected'], ...rows]);
  }
  if (!report.issueCounts.length) return;
  console.log('');
  let budget = maxIssues ?? Infinity;
  for (const { code, severity, count } of report.issueCounts) {
    console.log(`${severity.padEnd(7)} ${code} ×${count}  ${ISSUE_CODES[code].title}`);
    const examples = report.issues.filter((i) => i.code === code).slice(0, Math.min(EXAMPLES_PER_CODE, budget));
    budget -= examples.length;
    for (const issue of examples) console.log(`          ${where(issue)}${issue.message}`);
    if (count > examples.length) console.log(`          … and ${count - examples.length} more`);
  }
}

function where(issue: Issue): string {
  const parts = [issue.file, issue.line === null ? null : `line ${issue.line}`, issue.column, issue.sourcedId === null ? null : `[${issue.sourcedId}]`].filter((p) => p !== null);
  return parts.length ? `${parts.join(' ')}: ` : '';
}

function table(rows: string[][]): void {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const row of rows)
    console.log(
      row
        .map((cell, c) => (c >= 2 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    );
}
