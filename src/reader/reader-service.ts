import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Actor } from '../accounts/policy.js';
import { AuditService } from '../audit/audit-service.js';
import { AssignmentRepository, type ReadableBook } from '../content/assignment-repository.js';
import type { BookRow as Book } from '../content/book-repository.js';
import type { ContentStore } from '../content/content-store.js';
import type { Database } from '../db/schema.js';
import { AppError, notFound, validationError } from '../errors.js';
import { nowIso } from '../time.js';
import { assertMatches } from '../validation.js';
import { decideRange } from './byte-range.js';
import { ReaderRepository, type ReadingProgress } from './reader-repository.js';
import { DEFAULT_READER_SETTINGS, type BookCard, type BookDetail, type Bookshelf, type CollectionView, type ProgressView, type ReaderSettings } from './reader-views.js';
import { ReaderSettingsRepository, type ReaderSettingsRow } from './settings-repository.js';
import { ReaderSettingsSchema } from './settings-schema.js';

/** Called after a reader's progress is stored (LTI Basic Outcomes hangs off this). */
export type ProgressHook = (customerId: string, userId: string, bookId: string, progress: number) => void | Promise<void>;

/** Options of the reader service. */
export interface ReaderServiceOptions {
  /**
   * Called after each saved position with the new progress. It runs inside the request, so it
   * should only queue remote work; if it throws, the request fails but the progress stays saved.
   */
  onProgress?: ProgressHook;
}

/** A stored file ready to stream: the status, headers and body to send. */
export interface FileResponse {
  status: 200 | 206 | 304;
  headers: Record<string, string>;
  body: Readable | null;
}

const CONTENT_TYPES = { epub: 'application/epub+zip', pdf: 'application/pdf' } as const;
const MAX_POSITION = 2000;

/**
 * The reader: a user's bookshelf, opening a title (metadata, file, cover) and saving where they
 * are. Callers pass the reader's own customer and user id (from their session); a book or
 * collection id from a request is only ever looked up within them, so one school's student cannot
 * reach another school's books.
 */
export class ReaderService {
  private readonly repo: ReaderRepository;
  // The one resolution of who may read what (direct and live class assignments) lives in content/.
  private readonly assignments: AssignmentRepository;
  private readonly settingsRepo: ReaderSettingsRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: ContentStore,
    private readonly opts: ReaderServiceOptions = {},
  ) {
    this.repo = new ReaderRepository(db);
    this.assignments = new AssignmentRepository(db);
    this.settingsRepo = new ReaderSettingsRepository(db);
  }

  /** Titles assigned to the user (directly or through their classes), and a teacher's class shelves. */
  async bookshelf(customerId: string, userId: string): Promise<Bookshelf> {
    const readable = await this.assignments.booksForUser(customerId, userId);
    const classes = await this.repo.taughtClasses(customerId, userId, nowIso().slice(0, 10));
    const classBooks = await Promise.all(classes.map((c) => this.assignments.forClass(customerId, c.id)));
    const allIds = [...new Set([...readable, ...classBooks.flat()].map((b) => b.id))];
    const readableIds = readable.map((b) => b.id);
    const [progress, collections] = await Promise.all([this.repo.progressOf(customerId, userId, allIds), this.repo.collectionsHolding(customerId, readableIds)]);
    const cards = (books: Book[]) => books.map((b) => card(b, progress.get(b.id)));
    return {
      books: cards(readable),
      classes: classes.map((c, i) => ({ id: c.id, title: c.title, classCode: c.class_code, books: cards(classBooks[i] ?? []) })),
      collections: collections.map((c) => ({ id: c.id, name: c.name, description: c.description, bookCount: c.book_count })),
    };
  }

  /** Whether the user may open the book now (assigned to them or to a class they are enrolled in). */
  canRead(customerId: string, userId: string, bookId: string): Promise<boolean> {
    return this.assignments.canRead(customerId, userId, bookId);
  }

  /** One title the user may read, with where they left off; NOT_FOUND otherwise. */
  async book(customerId: string, userId: string, bookId: string): Promise<BookDetail> {
    const book = await this.requireReadable(customerId, userId, bookId);
    const progress = (await this.repo.progressOf(customerId, userId, [book.id])).get(book.id);
    return { ...card(book, progress), sizeBytes: book.size_bytes, fileUrl: `/api/reader/books/${book.id}/file`, position: progress?.position ?? null };
  }

  /** A collection's titles that the user may read; NOT_FOUND when it holds none of them. */
  async collection(customerId: string, userId: string, collectionId: string): Promise<CollectionView> {
    const found = await this.repo.collection(customerId, collectionId);
    const readable = new Map((await this.assignments.booksForUser(customerId, userId)).map((b) => [b.id, b]));
    const books = (found?.bookIds ?? []).map((id) => readable.get(id)).filter((b): b is ReadableBook => b !== undefined);
    if (!found || books.length === 0) throw notFound('Collection');
    const progress = await this.repo.progressOf(
      customerId,
      userId,
      books.map((b) => b.id),
    );
    return { id: found.id, name: found.name, description: found.description, books: books.map((b) => card(b, progress.get(b.id))) };
  }

  /**
   * The book's file for streaming, honouring `Range` (one range), `If-Range` and `If-None-Match`.
   * The ETag is the file's SHA-256, so a cached copy is reused until the file is replaced.
   */
  async file(customerId: string, userId: string, bookId: string, request: { range?: string; ifRange?: string; ifNoneMatch?: string }): Promise<FileResponse> {
    const book = await this.requireReadable(customerId, userId, bookId);
    const etag = `"${book.sha256}"`;
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[book.format],
      'accept-ranges': 'bytes',
      etag,
      // Revalidate every time: access can end (an enrollment ends), and a 304 costs almost nothing.
      'cache-control': 'private, no-cache',
      'content-disposition': `inline; filename="book.${book.format}"`,
    };
    if (request.ifNoneMatch && request.ifNoneMatch.split(',').some((t) => t.trim() === etag)) return { status: 304, headers, body: null };
    const { sizeBytes } = await this.store.stat(customerId, book.file_key);
    const decision = decideRange(request.range, sizeBytes, request.ifRange === undefined || request.ifRange === etag);
    if (decision.kind === 'unsatisfiable') throw new AppError('RANGE_NOT_SATISFIABLE', undefined, { headers: { 'content-range': `bytes */${sizeBytes}` } });
    if (decision.kind === 'whole') {
      return { status: 200, headers: { ...headers, 'content-length': String(sizeBytes) }, body: await this.store.open(customerId, book.file_key) };
    }
    const { start, end } = decision.range;
    return {
      status: 206,
      headers: { ...headers, 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${sizeBytes}` },
      body: await this.store.open(customerId, book.file_key, decision.range),
    };
  }

  /** The book's cover image; NOT_FOUND when the book has none or the user may not read it. */
  async cover(customerId: string, userId: string, bookId: string): Promise<FileResponse> {
    const book = await this.requireReadable(customerId, userId, bookId);
    if (!book.cover_key || !book.cover_type) throw notFound('Cover');
    const { sizeBytes } = await this.store.stat(customerId, book.cover_key);
    return {
      status: 200,
      headers: { 'content-type': book.cover_type, 'content-length': String(sizeBytes), 'cache-control': 'private, max-age=3600' },
      body: await this.store.open(customerId, book.cover_key),
    };
  }

  /** Where the user is in the book, or null before they first open it. */
  async getProgress(customerId: string, userId: string, bookId: string): Promise<ProgressView | null> {
    const book = await this.requireReadable(customerId, userId, bookId);
    const row = (await this.repo.progressOf(customerId, userId, [book.id])).get(book.id);
    return row ? progressView(row) : null;
  }

  /** Saves the reader's position (an EPUB CFI or a PDF page) and progress (0–1), then calls the progress hook. */
  async saveProgress(customerId: string, userId: string, bookId: string, input: { position: string; progress: number }): Promise<ProgressView> {
    const fields = [];
    if (!input.position.trim() || input.position.length > MAX_POSITION) fields.push({ field: 'position', message: `Give a position of 1 to ${MAX_POSITION} characters.` });
    if (!Number.isFinite(input.progress) || input.progress < 0 || input.progress > 1) fields.push({ field: 'progress', message: 'Progress is a number from 0 to 1.' });
    if (fields.length) throw validationError(fields);
    const book = await this.requireReadable(customerId, userId, bookId);
    const row: ReadingProgress = { customer_id: customerId, user_id: userId, book_id: book.id, position: input.position, progress: input.progress, updated_at: nowIso() };
    await this.repo.saveProgress(row);
    await this.opts.onProgress?.(customerId, userId, book.id, input.progress);
    return progressView(row);
  }

  /** The reader's own settings (font, size, spacing, theme, language); the defaults until they choose. */
  async settings(customerId: string, userId: string): Promise<ReaderSettings> {
    const row = await this.settingsRepo.find(customerId, userId);
    return row ? settingsView(row) : { ...DEFAULT_READER_SETTINGS };
  }

  /** Replaces the reader's own settings; the audit entry names the fields that changed (never their values). */
  async saveSettings(actor: Actor, customerId: string, userId: string, input: unknown): Promise<ReaderSettings> {
    assertMatches<ReaderSettings>(ReaderSettingsSchema, input);
    const before = await this.settings(customerId, userId);
    const changed = (Object.keys(DEFAULT_READER_SETTINGS) as (keyof ReaderSettings)[]).filter((k) => before[k] !== input[k]);
    if (changed.length === 0) return before;
    const row: ReaderSettingsRow = {
      user_id: userId,
      customer_id: customerId,
      font: input.font,
      font_size: input.fontSize,
      line_spacing: input.lineSpacing,
      theme: input.theme,
      language: input.language,
      updated_at: nowIso(),
    };
    await this.db.transaction().execute(async (trx) => {
      await new ReaderSettingsRepository(trx).save(row);
      await new AuditService(trx).record(actor, { customerId, action: 'reader.settings_changed', targetType: 'user', targetId: userId, fields: changed });
    });
    return settingsView(row);
  }

  // Not readable and not there answer alike, so a book id reveals nothing about other shelves or schools.
  private async requireReadable(customerId: string, userId: string, bookId: string): Promise<Book> {
    const [book] = await this.assignments.booksForUser(customerId, userId, { bookId });
    if (!book) throw notFound('Book');
    return book;
  }
}

function card(b: Book, p: ReadingProgress | undefined): BookCard {
  return {
    id: b.id,
    title: b.title,
    author: b.author,
    format: b.format,
    coverUrl: b.cover_key ? `/api/reader/books/${b.id}/cover` : null,
    progress: p ? roundProgress(p.progress) : null,
    lastReadAt: p ? p.updated_at : null,
  };
}

// PostgreSQL keeps progress as a 4-byte real (0.37 comes back as 0.3700000047…); four places are plenty.
function roundProgress(value: number): number {
  return Math.round(Number(value) * 10_000) / 10_000;
}

function progressView(r: ReadingProgress): ProgressView {
  return { position: r.position, progress: roundProgress(r.progress), updatedAt: r.updated_at };
}

function settingsView(r: ReaderSettingsRow): ReaderSettings {
  return { font: r.font, fontSize: Number(r.font_size), lineSpacing: r.line_spacing, theme: r.theme, language: r.language };
}
