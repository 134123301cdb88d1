import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { csv } from '../../../test/helpers/bundles.js';
import { CsvRow, CsvTokenizer, QUIRK, type CsvBatch } from './csv.js';

// Tokenizes the UTF-8 bytes of `text` pushed `chunk` bytes at a time.
function tokenize(text: string, chunk = Buffer.byteLength(text) || 1, max = 1 << 20) {
  const records: { line: number; cells: string[]; quirks: number }[] = [];
  const t = new CsvTokenizer(max);
  const row = new CsvRow();
  const take = (batch: CsvBatch | null) => {
    for (let r = 0; batch && r < batch.count; r++) {
      row.view(batch, r);
      records.push({ line: row.line, cells: [...row], quirks: row.quirks });
    }
  };
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length && !t.failure; i += chunk) take(t.push(bytes.subarray(i, i + chunk)));
  take(t.end());
  return { records, failure: t.failure };
}

describe('CsvTokenizer', () => {
  it('splits RFC 4180 records with quotes, doubled quotes, embedded newlines, CRLF and no final newline', () => {
    const { records, failure } = tokenize('a,b,c\r\n"x,y","say ""hi""",\n"two\nlines",2,3\nlast,"",x');
    assert.equal(failure, null);
    assert.deepEqual(records, [
      { line: 1, cells: ['a', 'b', 'c'], quirks: 0 },
      { line: 2, cells: ['x,y', 'say "hi"', ''], quirks: 0 },
      { line: 3, cells: ['two\nlines', '2', '3'], quirks: 0 },
      { line: 5, cells: ['last', '', 'x'], quirks: 0 },
    ]);
  });

  it('flags stray quotes and text after a closing quote, keeping the text', () => {
    const { records } = tokenize('5\'10",ok\n"a"b,c\n');
    assert.deepEqual(records, [
      { line: 1, cells: ['5\'10"', 'ok'], quirks: QUIRK.strayQuote },
      { line: 2, cells: ['ab', 'c'], quirks: QUIRK.textAfterQuote },
    ]);
  });

  it('fails on a carriage return in a field, an unterminated quote and an over-long record', () => {
    assert.deepEqual(tokenize('a\nb\rc\n').failure?.code, 'csv.cr_in_field');
    assert.deepEqual(tokenize('a\n"b\r\nc"\n').failure, { code: 'csv.cr_in_field', line: 2, message: 'a carriage return inside a quoted field (OneRoster forbids them; write line breaks as LF)' });
    assert.deepEqual(tokenize('a\n"b\nc\n').failure?.code, 'csv.unterminated_quote');
    assert.deepEqual(tokenize('a\n"b\nc\n').failure?.line, 2);
    assert.equal(tokenize(`a\n${'x'.repeat(100)}\n`, 7, 50).failure?.code, 'csv.line_too_long');
    assert.equal(tokenize(`a\n"${'x'.repeat(100)}`, 7, 50).failure?.code, 'csv.line_too_long');
  });

  it('gives the same records whatever the chunk boundaries (property)', () => {
    const cell = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', '"', '""', ',', '\n', 'a,b', 'é', '😀'));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 9 }), (rows, chunk) => {
        const text = csv(rows.map((r) => r.map((c) => c.replace(/\r/g, ''))));
        const whole = tokenize(text);
        assert.equal(whole.failure, null);
        assert.deepEqual(
          whole.records.map((r) => r.cells),
          rows.map((r) => r.map((c) => c.replace(/\r/g, ''))),
        );
        assert.deepEqual(tokenize(text, chunk), whole);
      }),
      { numRuns: 300 },
    );
  });
});
