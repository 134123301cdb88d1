import { ISSUE_CODES, type IssueCode } from '../oneroster/issues.js';
import type { RunIssue } from './run-repository.js';

/** How many line numbers a grouped finding names; the issues CSV keeps every row. */
export const GROUP_SAMPLE = 5;

/** A finding as the issue list shows it: one issue, or a group of the same code in one file. */
export interface IssueFinding extends RunIssue {
  /** How many rows the finding stands for (1 for a single issue). */
  count: number;
  /** The first lines it was found on, at most GROUP_SAMPLE. */
  lines: number[];
}

/**
 * One finding for `count` issues of one file and code, from the first of them (`sample`, in file
 * order): what they say, how many rows, and the first lines. A group of one is the issue itself.
 */
export function groupFinding(count: number, sample: RunIssue[]): IssueFinding {
  const first = sample[0];
  if (!first) throw new Error('a group has at least one issue');
  const lines = sample.map((i) => i.line).filter((l): l is number => l !== null);
  if (count === 1) return { ...first, count, lines };
  const title = (ISSUE_CODES as Record<string, { title: string } | undefined>)[first.code as IssueCode]?.title ?? first.message;
  const more = count > lines.length ? ` and ${count - lines.length} more` : '';
  const where = lines.length ? `, ${lines.length === 1 && !more ? 'line' : 'lines'} ${lines.join(', ')}${more}` : '';
  // One message for all (as far as the sample shows): say it once. Messages that quote each row's
  // value differ: the code's meaning, and the first of them.
  if (sample.every((i) => i.message === first.message)) return { ...first, count, lines, message: `${first.message} (${count} rows${where})` };
  return { ...first, count, lines, message: `${title}: ${count} rows${where}. First: ${first.message}` };
}

/** Every issue as a finding of its own (the list with "every row"). */
export function singleFinding(issue: RunIssue): IssueFinding {
  return { ...issue, count: 1, lines: issue.line === null ? [] : [issue.line] };
}
