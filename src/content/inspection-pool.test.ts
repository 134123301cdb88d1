import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { epub3, epubWithPackage, pdf, pngImage, writeBookFile } from '../../test/helpers/books.js';
import { AppError } from '../errors.js';
import { inspectBook } from './book-inspector.js';
import { BookInspectionPool, DEFAULT_INSPECTION_POOL } from './inspection-pool.js';

// A valid package document close to the caps (~3.5 MB, 45,000 elements): real parsing work for a worker.
const heavyOpf = () =>
  `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Heavy</dc:title></metadata><manifest>${Array.from(
    { length: 45_000 },
    (_, i) => `<item id="item-${i}" href="text/chapter-${i}.xhtml" media-type="application/xhtml+xml"/>`,
  ).join('')}</manifest></package>`;

describe('book inspection pool', () => {
  const pools: BookInspectionPool[] = [];
  const pool = (options: Partial<typeof DEFAULT_INSPECTION_POOL> = {}) => {
    const p = new BookInspectionPool({ ...DEFAULT_INSPECTION_POOL, ...options });
    pools.push(p);
    return p;
  };
  after(() => Promise.all(pools.map((p) => p.close())));

  it('answers in a worker thread what inspectBook answers: EPUB with its cover bytes, PDF, and refusals as the same AppError', async () => {
    const p = pool();
    const epub = writeBookFile('pool-a.epub', await epub3({ title: 'Pooled', author: 'Wren' }));
    const facts = await p.inspect(epub);
    assert.deepEqual(facts, await inspectBook(epub));
    assert.ok(Buffer.isBuffer(facts.cover?.data) && facts.cover.data.equals(pngImage()), 'the cover comes back as a Buffer, byte for byte');
    assert.deepEqual(await p.inspect(writeBookFile('pool-b.pdf', pdf({ title: 'Paged', author: 'Ink' }))), { format: 'pdf', title: 'Paged', author: 'Ink', cover: null });
    await assert.rejects(
      p.inspect(writeBookFile('pool-c.txt', Buffer.from('plain text'))),
      (e: AppError) => e instanceof AppError && e.code === 'UNSUPPORTED_MEDIA_TYPE' && e.fields[0]?.code === 'FILE_TYPE_UNSUPPORTED',
    );
  });

  it('refuses a file that outlasts the time limit, ends its worker, and goes on with a fresh one', async () => {
    // 60 ms: the heavy book takes several times that to parse; reading 1 KB of a text file, a few ms.
    const p = pool({ size: 1, timeoutMs: 60 });
    const heavy = writeBookFile('pool-e.epub', await epubWithPackage(heavyOpf()));
    // Were the parse on this thread, the timer could not fire before it finished, and the book would be accepted.
    await assert.rejects(p.inspect(heavy), (e: AppError) => e.code === 'VALIDATION_FAILED' && e.fields[0]?.code === 'FILE_CORRUPT' && /could not be read within 0.06 seconds/.test(e.message));
    await assert.rejects(p.inspect(writeBookFile('pool-f.txt', Buffer.from('plain text'))), (e: AppError) => e.code === 'UNSUPPORTED_MEDIA_TYPE', 'the pool replaced the worker it ended');
    assert.equal((await pool({ size: 1 }).inspect(heavy)).title, 'Heavy', 'within the default limit the same book is read');
  });

  it('queues files while every worker is busy and answers each', async () => {
    const p = pool({ size: 1 });
    const files = await Promise.all(['One', 'Two', 'Three'].map(async (title, i) => writeBookFile(`pool-q${i}.epub`, await epub3({ title }))));
    assert.deepEqual(
      (await Promise.all(files.map((f) => p.inspect(f)))).map((f) => f.title),
      ['One', 'Two', 'Three'],
    );
  });
});
