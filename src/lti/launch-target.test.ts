import assert from 'node:assert/strict';
import { it } from 'node:test';
import { readerPath } from './launch-target.js';

it('a launch target opens its reader path, ids encoded; no target is the shelf', () => {
  assert.equal(readerPath({ type: 'book', id: 'b 1/2' }), '/reader/books/b%201%2F2');
  assert.equal(readerPath({ type: 'collection', id: 'c1' }), '/reader/collections/c1');
  assert.equal(readerPath(null), '/reader');
});
