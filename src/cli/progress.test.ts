import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { progressBar } from './progress.js';

// A stream standing in for stderr: a terminal or a pipe, 80 columns.
function stream(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(out, { isTTY, columns: 80 });
  return { out, text: () => text };
}

describe('progressBar', () => {
  it('draws on a terminal, with the label a function gives', () => {
    const s = stream(true);
    const bar = progressBar('Validating', s.out);
    bar.update(50, 100, () => 'users.csv 1,000 rows');
    assert.match(s.text(), /Validating █{15}░{15} {2}50% users\.csv 1,000 rows/);
  });

  it('draws only the label for work of unknown size, with no bar or share to guess', () => {
    const s = stream(true);
    progressBar('Exporting', s.out).update(3, null, '3 files, 1.2 MB written');
    assert.match(s.text(), /^\rExporting 3 files, 1\.2 MB written +$/);
  });

  it('writes nothing in a pipe, and never computes a label it does not draw', () => {
    const s = stream(false);
    const bar = progressBar('Validating', s.out);
    let asked = 0;
    for (let i = 0; i < 1000; i++) bar.update(i, 1000, () => String(++asked));
    bar.done('done');
    assert.deepEqual([s.text(), asked], ['', 0]);
  });
});
