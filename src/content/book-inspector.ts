/*
 * What an uploaded file is and what it says about itself. The type comes from the bytes, never
 * from the name: an EPUB is a zip whose first entry is `mimetype` holding `application/epub+zip`
 * (OCF 3.0 §4.3), a PDF starts with `%PDF-` (pdf.js also accepts it within the first 1 KiB).
 * Title, author and cover come from the EPUB package document or the PDF Info dictionary.
 */
import fs from 'node:fs';
import path from 'node:path/posix';
import { AppError, type FieldIssue } from '../errors.js';
import { IssueCollector } from '../rostering/oneroster/issues.js';
import { BundleZip, EntryReadError, type ZipEntryInfo, type ZipLimits } from '../rostering/oneroster/zip.js';

/** What the file turned out to be, and the metadata it carries (null where it has none). */
export interface BookFacts {
  format: 'epub' | 'pdf';
  title: string | null;
  author: string | null;
  cover: { data: Buffer; type: CoverType } | null;
}

/** Cover image types served back to browsers; SVG is left out since it can carry script. */
export type CoverType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';

// An EPUB has a handful of files per chapter; these limits only stop hostile zips.
const EPUB_ZIP_LIMITS: ZipLimits = { maxEntries: 20_000, maxEntryBytes: 1024 ** 3, maxTotalBytes: 4 * 1024 ** 3, maxRatio: 200, ratioFloorBytes: 1024 ** 2 };
const MAX_XML_BYTES = 4 * 1024 * 1024;
const MAX_COVER_BYTES = 10 * 1024 * 1024;
const EPUB_MIMETYPE = 'application/epub+zip';
const PDF_READ_TIMEOUT_MS = 30_000;

function refuse(code: 'FILE_TYPE_UNSUPPORTED' | 'FILE_CORRUPT', message: string): AppError {
  const field: FieldIssue = { field: 'file', code, message };
  return code === 'FILE_TYPE_UNSUPPORTED' ? new AppError('UNSUPPORTED_MEDIA_TYPE', message, { fields: [field] }) : new AppError('VALIDATION_FAILED', message, { fields: [field] });
}

/**
 * Detects the type of the file at `file` by content and reads its metadata. Throws
 * UNSUPPORTED_MEDIA_TYPE (field code FILE_TYPE_UNSUPPORTED) for anything but EPUB or PDF, and
 * VALIDATION_FAILED (FILE_CORRUPT) for an EPUB or PDF that cannot be read.
 */
export async function inspectBook(file: string): Promise<BookFacts> {
  const head = Buffer.alloc(1024);
  const fh = await fs.promises.open(file, 'r');
  let n: number;
  try {
    ({ bytesRead: n } = await fh.read(head, 0, head.length, 0));
  } finally {
    await fh.close();
  }
  const bytes = head.subarray(0, n);
  if (n === 0) throw refuse('FILE_CORRUPT', 'The file is empty.');
  if (bytes.includes('%PDF-', 0, 'latin1')) return inspectPdf(file);
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) {
    const nameLength = n >= 30 ? bytes.readUInt16LE(26) : 0;
    if (bytes.toString('latin1', 30, 30 + nameLength) !== 'mimetype') {
      throw refuse('FILE_TYPE_UNSUPPORTED', 'This zip file is not an EPUB (an EPUB starts with a "mimetype" entry). Upload an EPUB or PDF.');
    }
    return inspectEpub(file);
  }
  throw refuse('FILE_TYPE_UNSUPPORTED', 'This file is neither an EPUB nor a PDF. Upload an EPUB or PDF.');
}

async function readEntry(zip: BundleZip, entry: ZipEntryInfo, max: number): Promise<Buffer> {
  if (entry.size > max) throw refuse('FILE_CORRUPT', `The EPUB's ${entry.name} is larger than ${Math.round(max / 1048576)} MB.`);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of zip.read(entry)) chunks.push(chunk);
  } catch (err) {
    if (err instanceof EntryReadError) throw refuse('FILE_CORRUPT', `The EPUB is damaged: ${entry.name} ${err.message}.`);
    throw err;
  }
  return Buffer.concat(chunks);
}

async function inspectEpub(file: string): Promise<BookFacts> {
  const problems: string[] = [];
  const zip = await BundleZip.open(file, EPUB_ZIP_LIMITS, new IssueCollector(5, (issue) => problems.push(issue.message)));
  if (!zip || problems.length) {
    zip?.close();
    throw refuse('FILE_CORRUPT', `The EPUB cannot be read: ${problems[0] ?? 'the zip is damaged'}`);
  }
  try {
    const byName = new Map(zip.entries.map((e) => [e.name, e]));
    const entry = (name: string) => {
      const e = byName.get(name);
      if (!e) throw refuse('FILE_CORRUPT', `The EPUB is missing ${name}.`);
      return e;
    };
    const mimetype = (await readEntry(zip, entry('mimetype'), 1024)).toString('latin1').trim();
    if (mimetype !== EPUB_MIMETYPE) throw refuse('FILE_TYPE_UNSUPPORTED', `This zip's mimetype is "${mimetype.slice(0, 60)}", not ${EPUB_MIMETYPE}. Upload an EPUB or PDF.`);
    const container = (await readEntry(zip, entry('META-INF/container.xml'), MAX_XML_BYTES)).toString('utf8');
    const rootfile = elements(container, 'rootfile').find((a) => (a['media-type'] ?? 'application/oebps-package+xml') === 'application/oebps-package+xml')?.['full-path'];
    if (!rootfile) throw refuse('FILE_CORRUPT', 'The EPUB does not name its package document in META-INF/container.xml.');
    const opf = (await readEntry(zip, entry(safeDecode(rootfile)), MAX_XML_BYTES)).toString('utf8');
    const title = firstText(opf, 'title');
    const author = allText(opf, 'creator').slice(0, 3).join(', ') || null;
    const coverHref = coverHrefOf(opf);
    let cover: BookFacts['cover'] = null;
    if (coverHref) {
      const coverName = path.normalize(path.join(path.dirname(safeDecode(rootfile)), safeDecode(coverHref.split('#')[0] ?? '')));
      const coverEntry = byName.get(coverName);
      if (coverEntry && coverEntry.size <= MAX_COVER_BYTES) {
        const data = await readEntry(zip, coverEntry, MAX_COVER_BYTES);
        const type = imageType(data);
        if (type) cover = { data, type };
      }
    }
    return { format: 'epub', title, author, cover };
  } finally {
    zip.close();
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// EPUB 3 marks the cover item with properties="cover-image"; EPUB 2 names it with <meta name="cover" content="item id">.
function coverHrefOf(opf: string): string | null {
  const items = elements(opf, 'item');
  const epub3 = items.find((i) => (i.properties ?? '').split(/\s+/).includes('cover-image'));
  if (epub3?.href) return epub3.href;
  const coverId = elements(opf, 'meta').find((m) => m.name === 'cover')?.content;
  const epub2 = coverId ? items.find((i) => i.id === coverId) : undefined;
  return epub2?.href ?? null;
}

// The package document is small and regular; a tolerant scan of start tags and their attributes reads
// it without an XML library, and namespace prefixes (dc:, opf:) are ignored.
function elements(doc: string, local: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  const tag = new RegExp(`<(?:[\\w.-]+:)?${local}\\b([^>]*)>`, 'g');
  for (const m of doc.matchAll(tag)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[(a[1] ?? '').replace(/^[\w.-]+:/, '')] = decodeEntities(a[2] ?? a[3] ?? '');
    out.push(attrs);
  }
  return out;
}

function allText(doc: string, local: string): string[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${local}\\b[^>]*>([\\s\\S]*?)</(?:[\\w.-]+:)?${local}\\s*>`, 'g');
  return [...doc.matchAll(re)].map((m) => clean(m[1] ?? '')).filter(Boolean);
}

function firstText(doc: string, local: string): string | null {
  return allText(doc, local)[0] ?? null;
}

function clean(s: string): string {
  const text = s.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, c: string) => c.replace(/[&<>]/g, (ch) => `&#${ch.charCodeAt(0)};`)).replace(/<[^>]*>/g, '');
  return decodeEntities(text).replace(/\s+/g, ' ').trim().slice(0, 500);
}

function decodeEntities(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return named[e.toLowerCase()] ?? whole;
  });
}

/** The type of an image by its magic bytes, or null when it is not one browsers may be served safely. */
export function imageType(data: Buffer): CoverType | null {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

/*
 * pdf.js reads the file through a range transport, so only the trailer, cross-reference and the
 * Info dictionary are read from disk, not a 200 MB file into memory. It also repairs what it can,
 * so a PDF refused here would not open in the reader either.
 */
async function inspectPdf(file: string): Promise<BookFacts> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const fh = await fs.promises.open(file, 'r');
  const { size } = await fh.stat();
  class FileRange extends pdfjs.PDFDataRangeTransport {
    override requestDataRange(begin: number, end: number): void {
      const buf = Buffer.alloc(end - begin);
      fh.read(buf, 0, buf.length, begin).then(
        ({ bytesRead }) => this.onDataRange(begin, new Uint8Array(buf.buffer, buf.byteOffset, bytesRead)),
        () => this.abort(),
      );
    }
  }
  const task = pdfjs.getDocument({ range: new FileRange(size, null), length: size, disableAutoFetch: true, disableStream: true, rangeChunkSize: 65536, isEvalSupported: false, verbosity: 0 });
  // A pathological file must not hold an upload (and pdf.js's main-thread work) for long.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(refuse('FILE_CORRUPT', `The PDF could not be read within ${PDF_READ_TIMEOUT_MS / 1000} seconds.`)), PDF_READ_TIMEOUT_MS);
  });
  try {
    const doc = await Promise.race([task.promise, timeout]);
    if (doc.numPages < 1) throw refuse('FILE_CORRUPT', 'The PDF has no pages.');
    const info = (await Promise.race([doc.getMetadata(), timeout])).info as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.replace(/\s+/g, ' ').trim().slice(0, 500) : null);
    return { format: 'pdf', title: text(info.Title), author: text(info.Author), cover: null };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw refuse('FILE_CORRUPT', `The PDF cannot be read (${(err as Error).message}).`);
  } finally {
    clearTimeout(timer);
    await task.destroy();
    await fh.close();
  }
}
