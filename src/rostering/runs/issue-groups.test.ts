import assert from 'node:assert/strict';
import { it } from 'node:test';
import { GROUP_SAMPLE, groupFinding, singleFinding } from './issue-groups.js';
import type { RunIssue } from './run-repository.js';

const issue = (line: number, sourcedId: string, status = 'tobedeleted'): RunIssue => ({
  file: 'users.csv',
  line,
  column: 'status',
  sourcedId,
  severity: 'warning',
  code: 'row.status_in_bulk',
  message: `status ${status} in a bulk file: the row is treated as removed from the roster.`,
});

it('makes one finding of a repeated issue: count, first lines, and its message said once', () => {
  const same = groupFinding(
    27,
    Array.from({ length: GROUP_SAMPLE }, (_, n) => issue(n + 2, `u-${n + 1}`)),
  );
  assert.equal(same.message, 'status tobedeleted in a bulk file: the row is treated as removed from the roster. (27 rows, lines 2, 3, 4, 5, 6 and 22 more)');
});

it('names the code’s meaning and the first message when the rows’ messages differ', () => {
  const sample = Array.from({ length: GROUP_SAMPLE }, (_, n) => issue(n + 2, `u-${n + 1}`, n % 2 ? 'inactive' : 'tobedeleted'));
  const f = groupFinding(27, sample);
  assert.equal(f.count, 27);
  assert.deepEqual(f.lines, [2, 3, 4, 5, 6]);
  assert.equal(f.file, 'users.csv');
  assert.equal(f.code, 'row.status_in_bulk');
  assert.equal(f.severity, 'warning');
  assert.equal(f.line, 2);
  assert.match(f.message, /^A bulk row is marked tobedeleted: it is treated as removed: 27 rows, lines 2, 3, 4, 5, 6 and 22 more\. First: status tobedeleted/);
});

it('names every line when the group is small, and leaves a single issue as it is', () => {
  const two = groupFinding(2, [issue(4, 'a'), issue(9, 'b', 'inactive')]);
  assert.match(two.message, /: 2 rows, lines 4, 9\. First:/);
  assert.deepEqual(two.lines, [4, 9]);
  const one = groupFinding(1, [issue(4, 'a')]);
  assert.deepEqual(one, { ...issue(4, 'a'), count: 1, lines: [4] });
  assert.deepEqual(singleFinding({ ...issue(4, 'a'), line: null }).lines, []);
});

it('falls back to the message for a code it does not know', () => {
  const f = groupFinding(3, [
    { ...issue(2, 'a'), code: 'x.unknown', message: 'odd' },
    { ...issue(3, 'b'), code: 'x.unknown', message: 'odder' },
  ]);
  assert.match(f.message, /^odd: 3 rows, lines 2, 3 and 1 more\. First: odd$/);
});
