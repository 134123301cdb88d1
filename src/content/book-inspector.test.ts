import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { epub2, epub3, pdf, pngImage, writeBookFile } from '../../test/helpers/books.js';
import { patchBytes, zipBuffer } from '../../test/helpers/bundles.js';
import type { AppError } from '../errors.js';
import { inspectBook } from './book-inspector.js';

const CONTAINER =
  '<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="book/package.opf" media-type="application/oebps-package+xml"/></rootfiles></container>';
const inspect = async (name: string, bytes: Buffer) => inspectBook(writeBookFile(name, bytes));
const refusal = (code: string, field: string) => (e: AppError) => e.code === code && e.fields[0]?.code === field;

describe('book inspector', () => {
  it('reads EPUB 3 and EPUB 2 metadata and covers, and PDF Info dictionaries (UTF-16 too)', async () => {
    const three = await inspect('a.epub', await epub3({ title: 'Three', author: 'Ann' }));
    assert.deepEqual([three.format, three.title, three.author, three.cover?.type, three.cover?.data.equals(pngImage())], ['epub', 'Three', 'Ann', 'image/png', true]);
    const two = await inspect('b.epub', await epub2({ title: 'Two', author: 'Bob', cover: false }));
    assert.deepEqual([two.format, two.title, two.author, two.cover], ['epub', 'Two', 'Bob', null]);
    const p = await inspect('c.pdf', pdf({ title: 'Ωmega (draft)', author: 'Ça' }));
    assert.deepEqual([p.format, p.title, p.author, p.cover], ['pdf', 'Ωmega (draft)', 'Ça', null]);
    assert.deepEqual(await inspect('d.pdf', pdf()), { format: 'pdf', title: null, author: null, cover: null });
  });

  it('decodes entities and CDATA, joins several creators, resolves a cover href relative to the package and URL-encoded', async () => {
    const opf = `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
      <dc:title>Pride &amp; <![CDATA[Prejudice <1813>]]> &#8212; Annotated</dc:title><dc:creator>Jane Austen</dc:creator><dc:creator>Ed. &#x4E01;</dc:creator></metadata>
      <manifest><item id="c" href="img/my%20cover.jpg" media-type="image/jpeg" properties="cover-image"/></manifest><spine/></package>`;
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
    const book = await inspect(
      'e.epub',
      await zipBuffer([
        ['mimetype', { data: 'application/epub+zip', store: true }],
        ['META-INF/container.xml', CONTAINER],
        ['book/package.opf', opf],
        ['book/img/my cover.jpg', jpeg],
      ]),
    );
    assert.deepEqual([book.title, book.author, book.cover?.type], ['Pride & Prejudice <1813> — Annotated', 'Jane Austen, Ed. 丁', 'image/jpeg']);
  });

  it('reads a package document in UTF-16 (by its byte-order mark), big- or little-endian', async () => {
    const opf = `<?xml version="1.0" encoding="UTF-16"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Ünïcode — 書</dc:title><dc:creator>Zoë</dc:creator></metadata></package>`;
    const le = Buffer.from(`\ufeff${opf}`, 'utf16le');
    for (const bytes of [le, Buffer.from(le).swap16()]) {
      const book = await inspect(
        'u.epub',
        await zipBuffer([
          ['mimetype', { data: 'application/epub+zip', store: true }],
          ['META-INF/container.xml', CONTAINER],
          ['book/package.opf', bytes],
        ]),
      );
      assert.deepEqual([book.title, book.author], ['Ünïcode — 書', 'Zoë']);
    }
  });

  it('leaves out a cover that is not an image browsers may be served (SVG)', async () => {
    const opf = `<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Svg</dc:title></metadata><manifest><item id="c" href="c.svg" media-type="image/svg+xml" properties="cover-image"/></manifest></package>`;
    const book = await inspect(
      'f.epub',
      await zipBuffer([
        ['mimetype', { data: 'application/epub+zip', store: true }],
        ['META-INF/container.xml', CONTAINER],
        ['book/package.opf', opf],
        ['book/c.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
      ]),
    );
    assert.deepEqual([book.title, book.author, book.cover], ['Svg', null, null]);
  });

  it('refuses by content: other zips, a wrong mimetype, plain text; and damaged EPUBs as corrupt', async () => {
    await assert.rejects(inspect('g.epub', await zipBuffer({ 'chapter.xhtml': '<html/>' })), refusal('UNSUPPORTED_MEDIA_TYPE', 'FILE_TYPE_UNSUPPORTED'));
    await assert.rejects(
      inspect('h.epub', await zipBuffer([['mimetype', { data: 'application/vnd.oasis.opendocument.text', store: true }]])),
      refusal('UNSUPPORTED_MEDIA_TYPE', 'FILE_TYPE_UNSUPPORTED'),
    );
    await assert.rejects(inspect('i.pdf', Buffer.from('hello')), refusal('UNSUPPORTED_MEDIA_TYPE', 'FILE_TYPE_UNSUPPORTED'));
    await assert.rejects(inspect('j.epub', await zipBuffer([['mimetype', { data: 'application/epub+zip', store: true }]])), refusal('VALIDATION_FAILED', 'FILE_CORRUPT'));
    // yazl refuses to write a climbing name, so one of the same length is patched in.
    const traversal = patchBytes(
      await zipBuffer([
        ['mimetype', { data: 'application/epub+zip', store: true }],
        ['META-INF/container.xml', CONTAINER],
        ['zz/zz/etc/x', 'x'],
      ]),
      'zz/zz/etc/x',
      '../../etc/x',
    );
    await assert.rejects(inspect('k.epub', traversal), refusal('VALIDATION_FAILED', 'FILE_CORRUPT'));
  });
});
