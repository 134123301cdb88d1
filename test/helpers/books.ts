/*
 * Small but valid books for tests, built in code: EPUB 3 and EPUB 2 zips (yazl, through
 * zipBuffer) and PDFs written by hand with a correct cross-reference table, so real readers
 * (foliate-js, epub.js, pdf.js) open them, and a solid-colour PNG for covers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { zipBuffer, type BundleEntry } from './bundles.js';

/** What an EPUB generator writes: the metadata a reader or an upload would read back. */
export interface EpubOptions {
  title?: string;
  author?: string;
  /** Chapter titles; each chapter gets a heading and a few paragraphs. Default: three chapters. */
  chapters?: string[];
  /** Include a cover image (default true). */
  cover?: boolean;
  /** The cover's RGB colour, so tests can tell covers apart. */
  coverColor?: [number, number, number];
  /** Identifier in the OPF (default a fixed URN). */
  identifier?: string;
}

const DEFAULT_CHAPTERS = ['The Beginning', 'The Middle', 'The End'];

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid solid-colour RGB PNG of `width` × `height`. */
export function pngImage(width = 60, height = 90, rgb: [number, number, number] = [200, 60, 40]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // colour type: RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

const CONTAINER = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
`;

function chapterXhtml(title: string, n: number, epub3: boolean): string {
  const paragraphs = Array.from({ length: 6 }, (_, i) => `<p>Paragraph ${i + 1} of chapter ${n}. The quick brown fox jumps over the lazy dog while the reader turns the page.</p>`).join('\n    ');
  const doctype = epub3 ? '<!DOCTYPE html>' : '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">';
  return `<?xml version="1.0" encoding="UTF-8"?>
${doctype}
<html xmlns="http://www.w3.org/1999/xhtml"${epub3 ? ' xmlns:epub="http://www.idpf.org/2007/ops"' : ''}>
  <head><title>${xml(title)}</title></head>
  <body>
    <h1 id="c${n}">${xml(title)}</h1>
    ${paragraphs}
  </body>
</html>
`;
}

// mimetype must be the first entry and stored uncompressed (OCF 3.0 §4.3).
function ocfEntries(files: [string, BundleEntry][]): [string, BundleEntry][] {
  return [['mimetype', { data: 'application/epub+zip', store: true }], ['META-INF/container.xml', CONTAINER], ...files];
}

/** An EPUB 3 book: nav document TOC, chapters, and a cover image with `properties="cover-image"`. */
export async function epub3(opts: EpubOptions = {}): Promise<Buffer> {
  const title = opts.title ?? 'A Test Book';
  const author = opts.author ?? 'Ada Author';
  const chapters = opts.chapters ?? DEFAULT_CHAPTERS;
  const cover = opts.cover ?? true;
  const manifest = [
    '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
    ...chapters.map((_, i) => `<item id="ch${i + 1}" href="chapter${i + 1}.xhtml" media-type="application/xhtml+xml"/>`),
    ...(cover ? ['<item id="cover-img" href="images/cover.png" media-type="image/png" properties="cover-image"/>'] : []),
  ];
  const opf = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id" xml:lang="en">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="pub-id">${xml(opts.identifier ?? 'urn:uuid:0b2a8a4e-7f43-4c1e-9a55-3d6f1e2b7c01')}</dc:identifier>
    <dc:title>${xml(title)}</dc:title>
    <dc:creator id="creator">${xml(author)}</dc:creator>
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>
  </metadata>
  <manifest>
    ${manifest.join('\n    ')}
  </manifest>
  <spine>
    ${chapters.map((_, i) => `<itemref idref="ch${i + 1}"/>`).join('\n    ')}
  </spine>
</package>
`;
  const nav = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
  <head><title>Contents</title></head>
  <body>
    <nav epub:type="toc" id="toc"><h1>Contents</h1>
      <ol>
        ${chapters.map((c, i) => `<li><a href="chapter${i + 1}.xhtml#c${i + 1}">${xml(c)}</a></li>`).join('\n        ')}
      </ol>
    </nav>
  </body>
</html>
`;
  return zipBuffer(
    ocfEntries([
      ['OEBPS/content.opf', opf],
      ['OEBPS/nav.xhtml', nav],
      ...chapters.map((c, i): [string, BundleEntry] => [`OEBPS/chapter${i + 1}.xhtml`, chapterXhtml(c, i + 1, true)]),
      ...(cover ? [['OEBPS/images/cover.png', pngImage(60, 90, opts.coverColor)] as [string, BundleEntry]] : []),
    ]),
  );
}

/** An EPUB 2 book: NCX table of contents and the cover named by `<meta name="cover" content="…"/>`. */
export async function epub2(opts: EpubOptions = {}): Promise<Buffer> {
  const title = opts.title ?? 'An Older Test Book';
  const author = opts.author ?? 'Bram Writer';
  const chapters = opts.chapters ?? DEFAULT_CHAPTERS;
  const cover = opts.cover ?? true;
  const id = opts.identifier ?? 'urn:uuid:5d1f0c7e-2b9a-4f3e-8c6d-9a0b1c2d3e4f';
  const opf = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="BookId">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>${xml(title)}</dc:title>
    <dc:creator opf:role="aut" opf:file-as="${xml(author)}">${xml(author)}</dc:creator>
    <dc:language>en</dc:language>
    <dc:identifier id="BookId">${xml(id)}</dc:identifier>
    ${cover ? '<meta name="cover" content="cover-image"/>' : ''}
  </metadata>
  <manifest>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
    ${chapters.map((_, i) => `<item id="ch${i + 1}" href="chapter${i + 1}.xhtml" media-type="application/xhtml+xml"/>`).join('\n    ')}
    ${cover ? '<item id="cover-image" href="images/cover.png" media-type="image/png"/>' : ''}
  </manifest>
  <spine toc="ncx">
    ${chapters.map((_, i) => `<itemref idref="ch${i + 1}"/>`).join('\n    ')}
  </spine>
</package>
`;
  const ncx = `<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
  <head><meta name="dtb:uid" content="${xml(id)}"/><meta name="dtb:depth" content="1"/><meta name="dtb:totalPageCount" content="0"/><meta name="dtb:maxPageNumber" content="0"/></head>
  <docTitle><text>${xml(title)}</text></docTitle>
  <navMap>
    ${chapters.map((c, i) => `<navPoint id="np${i + 1}" playOrder="${i + 1}"><navLabel><text>${xml(c)}</text></navLabel><content src="chapter${i + 1}.xhtml"/></navPoint>`).join('\n    ')}
  </navMap>
</ncx>
`;
  return zipBuffer(
    ocfEntries([
      ['OEBPS/content.opf', opf],
      ['OEBPS/toc.ncx', ncx],
      ...chapters.map((c, i): [string, BundleEntry] => [`OEBPS/chapter${i + 1}.xhtml`, chapterXhtml(c, i + 1, false)]),
      ...(cover ? [['OEBPS/images/cover.png', pngImage(60, 90, opts.coverColor ?? [40, 90, 200])] as [string, BundleEntry]] : []),
    ]),
  );
}

/** What the PDF generator writes. Leave out both `title` and `author` for a PDF without an Info dictionary. */
export interface PdfOptions {
  title?: string;
  author?: string;
  pages?: number;
}

// A PDF text string: literal with escapes for ASCII, UTF-16BE with a byte-order mark otherwise (PDF 32000 §7.9.2.2).
function pdfString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  const utf16 = Buffer.from(s, 'utf16le').swap16();
  return `<FEFF${utf16.toString('hex').toUpperCase()}>`;
}

/** A valid multi-page PDF 1.4 (Helvetica text "Page N" on each page) with a correct xref table. */
export function pdf(opts: PdfOptions = {}): Buffer {
  const pages = opts.pages ?? 3;
  const hasInfo = opts.title !== undefined || opts.author !== undefined;
  // Objects: 1 catalog, 2 pages, 3 font, then per page a page and its content stream, then the Info dict.
  const objects: string[] = [];
  const pageIds = Array.from({ length: pages }, (_, i) => 4 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  pageIds.forEach((id, i) => {
    objects[id] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Resources << /Font << /F1 3 0 R >> >> /Contents ${id + 1} 0 R >>`;
    const content = `BT /F1 24 Tf 72 300 Td (Page ${i + 1}) Tj ET`;
    objects[id + 1] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  });
  const infoId = 4 + pages * 2;
  if (hasInfo) {
    const entries = [opts.title !== undefined ? `/Title ${pdfString(opts.title)}` : '', opts.author !== undefined ? `/Author ${pdfString(opts.author)}` : '', '/Producer (Lectern tests)'];
    objects[infoId] = `<< ${entries.filter(Boolean).join(' ')} >>`;
  }
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out, 'latin1');
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xrefAt = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R${hasInfo ? ` /Info ${infoId} 0 R` : ''} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

let dir: string | null = null;

/** Writes `bytes` to a temporary file named `name` (for browser uploads) and returns its path. */
export function writeBookFile(name: string, bytes: Buffer): string {
  if (!dir) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-books-'));
    dir = created;
    process.on('exit', () => fs.rmSync(created, { recursive: true, force: true }));
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** A multipart/form-data body carrying one file in the field `file`, as a browser sends an upload. */
export function fileForm(file: Buffer, fileName: string, contentType = 'application/octet-stream'): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----lecternbook${Math.random().toString(16).slice(2)}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/**
 * An EPUB whose package document (OEBPS/content.opf) is exactly `opf`, stored uncompressed as a
 * hostile file may store it, so its size on disk is its size to parse. For refusal tests.
 */
export async function epubWithPackage(opf: string): Promise<Buffer> {
  return zipBuffer(ocfEntries([['OEBPS/content.opf', { data: opf, store: true }]]));
}
