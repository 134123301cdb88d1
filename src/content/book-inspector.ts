/*
 * What an uploaded file is and what it says about itself. The type comes from the bytes, never
 * from the name: an EPUB is a zip whose first entry is `mimetype` holding `application/epub+zip`
 * (OCF 3.0 §4.3), a PDF starts with `%PDF-` (pdf.js also accepts it within the first 1 KiB).
 * Title, author and cover come from the EPUB package document or the PDF Info dictionary.
 * This runs in a worker thread (inspection-pool.ts), which also bounds its time and memory.
 */
import fs from 'node:fs';
import path from 'node:path/posix';
import { TextDecoder } from 'node:util';
import { SaxesParser } from 'saxes';
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
/** What the XML of one EPUB entry (container.xml, the package document) may cost before the book is refused. */
const XML_LIMITS = { maxBytes: 4 * 1024 * 1024, maxDepth: 32, maxElements: 50_000, maxAttributes: 64 };
const MAX_TEXT = 500;
const MAX_CREATORS = 3;
const OPF_MEDIA_TYPE = 'application/oebps-package+xml';
const MAX_COVER_BYTES = 10 * 1024 * 1024;
const EPUB_MIMETYPE = 'application/epub+zip';

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
    const rootfile = await packagePathOf(zip, entry('META-INF/container.xml'));
    if (!rootfile) throw refuse('FILE_CORRUPT', 'The EPUB does not name its package document in META-INF/container.xml.');
    const opfName = safeDecode(rootfile);
    const opf = await readPackage(zip, entry(opfName));
    let cover: BookFacts['cover'] = null;
    if (opf.coverHref) {
      const coverName = path.normalize(path.join(path.dirname(opfName), safeDecode(opf.coverHref.split('#')[0] ?? '')));
      const coverEntry = byName.get(coverName);
      if (coverEntry && coverEntry.size <= MAX_COVER_BYTES) {
        const data = await readEntry(zip, coverEntry, MAX_COVER_BYTES);
        const type = imageType(data);
        if (type) cover = { data, type };
      }
    }
    return { format: 'epub', title: opf.title, author: opf.creators.join(', ') || null, cover };
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

/** What one element looks like to the EPUB readers below: its local name (prefix dropped) and attributes by local name. */
interface XmlElement {
  name: string;
  attrs: Record<string, string>;
}

/** Callbacks of one streamed XML document (depth 1 is the root element); `text` gets character data, CDATA included. */
interface XmlHandlers {
  open(el: XmlElement, depth: number): void;
  text?(text: string): void;
  close?(el: XmlElement, depth: number): void;
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/*
 * Streams one zip entry through saxes, a conforming XML parser that works in one pass, so the cost
 * is linear in the entry's bytes, which the central directory's size check caps before a byte is
 * inflated. Element count, depth and attributes per element are capped too (a package document is
 * a few levels deep, a few thousand elements long, and its elements have a handful of attributes).
 * Entities declared in a DOCTYPE are refused, never expanded, and a document that is not
 * well-formed is refused as a reader's XML parser would refuse it.
 */
async function parseXml(zip: BundleZip, entry: ZipEntryInfo, handlers: XmlHandlers): Promise<void> {
  const what = `The EPUB's ${entry.name}`;
  if (entry.size > XML_LIMITS.maxBytes) throw refuse('FILE_CORRUPT', `${what} is larger than ${XML_LIMITS.maxBytes / 1048576} MB; a package document is far smaller.`);
  const parser = new SaxesParser({ fileName: entry.name });
  const stack: XmlElement[] = [];
  let elements = 0;
  parser.on('doctype', (doctype) => {
    if (/<!ENTITY/i.test(doctype)) throw refuse('FILE_CORRUPT', `${what} declares entities in its DOCTYPE, which Lectern does not expand.`);
  });
  let attributes = 0;
  parser.on('opentagstart', () => (attributes = 0));
  parser.on('attribute', () => {
    if (++attributes > XML_LIMITS.maxAttributes) throw refuse('FILE_CORRUPT', `${what} has an element with more than ${XML_LIMITS.maxAttributes} attributes.`);
  });
  parser.on('opentag', (tag) => {
    if (++elements > XML_LIMITS.maxElements) throw refuse('FILE_CORRUPT', `${what} has more than ${XML_LIMITS.maxElements.toLocaleString('en')} elements.`);
    if (stack.length >= XML_LIMITS.maxDepth) throw refuse('FILE_CORRUPT', `${what} nests elements more than ${XML_LIMITS.maxDepth} deep.`);
    const attrs: Record<string, string> = {};
    for (const [qname, value] of Object.entries(tag.attributes)) attrs[localName(qname)] = value;
    const el = { name: localName(tag.name), attrs };
    stack.push(el);
    handlers.open(el, stack.length);
  });
  parser.on('closetag', () => {
    const el = stack.pop();
    if (el) handlers.close?.(el, stack.length + 1);
  });
  if (handlers.text) {
    parser.on('text', handlers.text);
    parser.on('cdata', handlers.text);
  }
  parser.on('error', (err) => {
    throw refuse('FILE_CORRUPT', `${what} is not well-formed XML (${err.message.replace(`${entry.name}:`, 'line ')}).`);
  });
  let decoder: TextDecoder | null = null;
  try {
    for await (const chunk of zip.read(entry)) {
      // XML is UTF-8 unless a byte-order mark says UTF-16 (XML 1.0 §4.3.3), which EPUB allows too.
      decoder ??= new TextDecoder(chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : 'utf-8');
      parser.write(decoder.decode(chunk, { stream: true }));
    }
  } catch (err) {
    if (err instanceof EntryReadError) throw refuse('FILE_CORRUPT', `The EPUB is damaged: ${entry.name} ${err.message}.`);
    throw err;
  }
  parser.write(decoder?.decode() ?? '').close();
}

// container.xml names the package document: the first rootfile of the OPF media type.
async function packagePathOf(zip: BundleZip, container: ZipEntryInfo): Promise<string | null> {
  let found: string | null = null;
  await parseXml(zip, container, {
    open(el) {
      if (found === null && el.name === 'rootfile' && (el.attrs['media-type'] ?? OPF_MEDIA_TYPE) === OPF_MEDIA_TYPE && el.attrs['full-path']) found = el.attrs['full-path'];
    },
  });
  return found;
}

/** What the package document says: its first title, its first few creators, and the href of its cover image. */
interface PackageFacts {
  title: string | null;
  creators: string[];
  coverHref: string | null;
}

/*
 * Reads the package document in one pass. The first non-empty dc:title wins and at most
 * MAX_CREATORS creators are kept, each text capped while it is collected, so repeating metadata
 * costs nothing beyond reading it. EPUB 3 marks the cover item with properties="cover-image";
 * EPUB 2 names it with <meta name="cover" content="item id">.
 */
async function readPackage(zip: BundleZip, entry: ZipEntryInfo): Promise<PackageFacts> {
  let title: string | null = null;
  const creators: string[] = [];
  let collecting: { into: 'title' | 'creator'; depth: number; text: string } | null = null;
  let epub3Cover: string | null = null;
  let epub2CoverId: string | null = null;
  const hrefById = new Map<string, string>();
  await parseXml(zip, entry, {
    open(el, depth) {
      if (collecting) return;
      if (el.name === 'title' && title === null) collecting = { into: 'title', depth, text: '' };
      else if (el.name === 'creator' && creators.length < MAX_CREATORS) collecting = { into: 'creator', depth, text: '' };
      else if (el.name === 'item' && el.attrs.href) {
        if (el.attrs.id && !hrefById.has(el.attrs.id)) hrefById.set(el.attrs.id, el.attrs.href);
        if (epub3Cover === null && (el.attrs.properties ?? '').split(/\s+/).includes('cover-image')) epub3Cover = el.attrs.href;
      } else if (el.name === 'meta' && el.attrs.name === 'cover' && epub2CoverId === null && el.attrs.content) epub2CoverId = el.attrs.content;
    },
    text(text) {
      if (collecting && collecting.text.length < MAX_TEXT * 4) collecting.text += text.slice(0, MAX_TEXT * 4);
    },
    close(_el, depth) {
      if (!collecting || collecting.depth !== depth) return;
      const value = collecting.text.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
      if (value && collecting.into === 'title') title = value;
      if (value && collecting.into === 'creator') creators.push(value);
      collecting = null;
    },
  });
  const epub2Cover = epub2CoverId === null ? undefined : hrefById.get(epub2CoverId);
  return { title, creators, coverHref: epub3Cover ?? epub2Cover ?? null };
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
 * so a PDF refused here would not open in the reader either. A pathological file is stopped by the
 * pool's time limit, which ends the worker thread (pdf.js's own work is not interruptible).
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
  // pdf.js 6 compiles no PDF functions with eval (the option to forbid it is gone with it); the length comes from the range transport.
  const task = pdfjs.getDocument({ range: new FileRange(size, null), disableAutoFetch: true, disableStream: true, rangeChunkSize: 65536, verbosity: 0 });
  try {
    const doc = await task.promise;
    if (doc.numPages < 1) throw refuse('FILE_CORRUPT', 'The PDF has no pages.');
    const info = (await doc.getMetadata()).info as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT) : null);
    return { format: 'pdf', title: text(info.Title), author: text(info.Author), cover: null };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw refuse('FILE_CORRUPT', `The PDF cannot be read (${(err as Error).message}).`);
  } finally {
    await task.destroy();
    await fh.close();
  }
}
