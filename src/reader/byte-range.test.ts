import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRange } from './byte-range.js';

describe('decideRange (HTTP Range for one file)', () => {
  const size = 1000;
  it('serves one range, clamped to the file', () => {
    assert.deepEqual(decideRange('bytes=0-99', size), { kind: 'partial', range: { start: 0, end: 99 } });
    assert.deepEqual(decideRange('bytes=900-', size), { kind: 'partial', range: { start: 900, end: 999 } });
    assert.deepEqual(decideRange('bytes=-100', size), { kind: 'partial', range: { start: 900, end: 999 } });
    assert.deepEqual(decideRange('bytes=-5000', size), { kind: 'partial', range: { start: 0, end: 999 } });
    assert.deepEqual(decideRange('bytes=990-5000', size), { kind: 'partial', range: { start: 990, end: 999 } });
    assert.deepEqual(decideRange('BYTES=5-9', size), { kind: 'partial', range: { start: 5, end: 9 } });
  });
  it('is unsatisfiable past the end, or for an empty suffix', () => {
    assert.deepEqual(decideRange('bytes=1000-', size), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange('bytes=-0', size), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  });
  it('sends the whole file for no Range, ignored forms (several ranges, other units, malformed) and a stale If-Range', () => {
    for (const header of [undefined, '', 'bytes=0-9,20-29', 'items=0-9', 'bytes=abc', 'bytes=9-5', 'bytes=-']) {
      assert.deepEqual(decideRange(header, size), { kind: 'whole' }, String(header));
    }
    assert.deepEqual(decideRange('bytes=0-9', size, false), { kind: 'whole' });
  });
  it('reads blanks around the numbers, in time linear in the header (16 KB of blanks, the most a header holds, took 250 ms)', () => {
    assert.deepEqual(decideRange('bytes= 5 - 9 ', size), { kind: 'partial', range: { start: 5, end: 9 } });
    assert.deepEqual(decideRange('bytes=1 2-3', size), { kind: 'whole' });
    for (const header of [`bytes=${' '.repeat(16_000)}x`, `bytes=-${' '.repeat(16_000)}x`]) {
      const started = performance.now();
      assert.deepEqual(decideRange(header, size), { kind: 'whole' });
      assert.ok(performance.now() - started < 50, `decideRange took ${Math.round(performance.now() - started)} ms`);
    }
  });
});
