import assert from 'node:assert/strict';
import { it } from 'node:test';
import { collectGarbage } from './memory.js';
import { waitFor } from '../test/helpers/wait.js';

it('collectGarbage hands unreferenced typed arrays back (what a run does between reading and planning)', async () => {
  const arrayBuffers = () => process.memoryUsage().arrayBuffers;
  const holder = { arrays: Array.from({ length: 8 }, () => new Uint8Array(8 * 1048576).fill(1)) };
  const before = arrayBuffers();
  assert.ok(before >= 64 * 1048576);
  holder.arrays = [];
  collectGarbage();
  // V8 frees the backing stores just after the collection, on its own thread.
  await waitFor(async () => arrayBuffers() < before - 60 * 1048576, 'the arrays to be freed', 5000, 20);
});
