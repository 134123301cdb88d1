import assert from 'node:assert/strict';
import { it } from 'node:test';
import { naturalCompare } from './natural-order.js';

it('orders numbers inside ids by value, not as text', () => {
  assert.deepEqual(['e-11', 'e-1', 'e-10', 'e-2', 'e-100'].sort(naturalCompare), ['e-1', 'e-2', 'e-10', 'e-11', 'e-100']);
  assert.deepEqual(['Grade 10', 'Grade 9', 'grade 1'].sort(naturalCompare), ['grade 1', 'Grade 9', 'Grade 10']);
});

it('keeps different prefixes apart and gives equal-looking ids a stable order', () => {
  assert.deepEqual(['u-2', 'c-10', 'c-9', 'u-10'].sort(naturalCompare), ['c-9', 'c-10', 'u-2', 'u-10']);
  // The collator calls these equal (case); the plain comparison still orders them, so paging is stable.
  assert.notEqual(naturalCompare('A-1', 'a-1'), 0);
  assert.equal(naturalCompare('a-1', 'a-1'), 0);
});
