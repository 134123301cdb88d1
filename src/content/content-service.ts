import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { AccessRepository } from '../accounts/access-repository.js';
import { assertCustomerAccess, requireAccess, type AccessRequest, type Actor } from '../accounts/policy.js';
import { AuditService } from '../audit/audit-service.js';
import { CustomerRepository } from '../customers/customer-repository.js';
import type { Database } from '../db/schema.js';
import { uuidv7 } from '../db/uuid.js';
import { AppError, notFound, validationError, type FieldIssue } from '../errors.js';
import { visibleIds, visibleOnly } from '../directory/school-scope.js';
import { nowIso } from '../time.js';
import { AssignmentRepository, type AssignmentTarget } from './assignment-repository.js';
import type { BookFacts } from './book-inspector.js';
import { BookRepository, type BookListQuery, type BookRow } from './book-repository.js';
import { CollectionRepository, type CollectionRow } from './collection-repository.js';
import type { ContentStore } from './content-store.js';
import { bookInspections } from './inspection-pool.js';
import type { BookView, CollectionView } from './content-views.js';

/** What to assign (or unassign): books, or every book of a collection, to users and classes. */
export interface AssignmentInput {
  bookIds?: string[];
  collectionId?: string;
  userIds?: string[];
  classIds?: string[];
}

const MAX_TEXT = 300;

/** A book row in the API's shape. */
export function presentBook(b: BookRow): BookView {
  return {
    id: b.id,
    title: b.title,
    author: b.author,
    format: b.format,
    sizeBytes: Number(b.size_bytes),
    sha256: b.sha256,
    hasCover: b.cover_key !== null,
    createdAt: b.created_at,
    updatedAt: b.updated_at,
  };
}

function presentCollection(c: CollectionRow): CollectionView {
  return { id: c.id, name: c.name, description: c.description, bookCount: c.book_count, createdAt: c.created_at, updatedAt: c.updated_at };
}

// "the_great-gatsby.v2.epub" → "the great gatsby.v2": what a person would call the file.
function titleFromFileName(fileName: string): string {
  const base = path.basename(fileName.replace(/\\/g, '/')).replace(/\.(epub|pdf)$/i, '');
  return base.replace(/[_]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT) || 'Untitled';
}

/**
 * Content of one customer: uploading titles (type by content, metadata from the file), editing and
 * deleting them, collections, and assigning titles to users and classes. Every operation checks the
 * tenant wall first and records admin writes in the audit log.
 */
export class ContentService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: ContentStore,
  ) {}

  /** The tenant wall plus "this customer exists" (for writes that would otherwise reach the disk or a foreign key). */
  async assertCustomer(actor: Actor, customerId: string): Promise<void> {
    assertCustomerAccess(actor, customerId);
    if (!(await new CustomerRepository(this.db).findStatus(customerId))) throw notFound('Customer');
  }

  // The tenant wall and the check that every id of the request is a record of this customer, before any is loaded.
  private allow(actor: Actor, request: AccessRequest): Promise<void> {
    return requireAccess(new AccessRepository(this.db), actor, 'customer.console', request);
  }

  private async book(customerId: string, bookId: string): Promise<BookRow> {
    const book = await new BookRepository(this.db).find(customerId, bookId);
    if (!book) throw notFound('Title');
    return book;
  }

  /**
   * Stores an uploaded EPUB or PDF: streamed to a temporary file under the size cap, its type
   * detected from its bytes, title/author/cover read from it (title falling back to the file name),
   * then renamed into place and recorded. A refused file leaves nothing behind.
   */
  async upload(actor: Actor, customerId: string, source: Readable, fileName: string): Promise<BookView> {
    await this.assertCustomer(actor, customerId);
    const staged = await this.store.stage(customerId, source);
    const id = uuidv7();
    let facts: BookFacts;
    try {
      facts = await bookInspections.inspect(staged.path);
    } catch (err) {
      await this.store.discard(staged);
      throw err;
    }
    const fileKey = `${id}.${facts.format}`;
    const coverKey = facts.cover ? `${id}-cover.${facts.cover.type.slice('image/'.length)}` : null;
    const now = nowIso();
    const row: BookRow = {
      id,
      customer_id: customerId,
      title: facts.title ?? titleFromFileName(fileName),
      author: facts.author ?? '',
      format: facts.format,
      file_key: fileKey,
      size_bytes: staged.sizeBytes,
      sha256: staged.sha256,
      cover_key: coverKey,
      cover_type: facts.cover?.type ?? null,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    try {
      if (facts.cover && coverKey) await this.store.putBuffer(customerId, coverKey, facts.cover.data);
      await this.store.commit(customerId, staged, fileKey);
      await this.db.transaction().execute(async (trx) => {
        await new BookRepository(trx).insert(row);
        await new AuditService(trx).record(actor, { customerId, action: 'book.uploaded', targetType: 'book', targetId: id, fields: ['file', 'title', 'author'] });
      });
    } catch (err) {
      await this.store.discard(staged);
      await this.store.remove(customerId, fileKey);
      if (coverKey) await this.store.remove(customerId, coverKey);
      throw err;
    }
    return presentBook(row);
  }

  /** A page of the customer's titles, with how many assignments each has. */
  async list(actor: Actor, customerId: string, q: BookListQuery): Promise<{ items: (BookView & { assignmentCount: number })[]; total: number }> {
    assertCustomerAccess(actor, customerId);
    const { items, total } = await new BookRepository(this.db).list(customerId, q);
    return { items: items.map((b) => ({ ...presentBook(b), assignmentCount: b.assignment_count })), total };
  }

  /** One title with its collections and who it is assigned to. */
  async detail(actor: Actor, customerId: string, bookId: string) {
    await this.allow(actor, { customerId, book: bookId });
    const book = await this.book(customerId, bookId);
    const assigned = await new AssignmentRepository(this.db).forBook(customerId, bookId);
    // The library is the customer's; who a title is assigned to is people and classes: an institute admin sees their schools' ones.
    const [users, classes] = await Promise.all([
      visibleOnly(this.db, actor, customerId, 'user', assigned.users, (u) => u.target_id),
      visibleOnly(this.db, actor, customerId, 'class', assigned.classes, (c) => c.target_id),
    ]);
    return {
      ...presentBook(book),
      collections: await new CollectionRepository(this.db).ofBook(customerId, bookId),
      assignments: {
        users: users.map((u) => ({ id: u.target_id, login: u.login, name: `${u.given_name} ${u.family_name}`.trim(), role: u.role, status: u.status, assignedAt: u.created_at })),
        classes: classes.map((c) => ({ id: c.target_id, title: c.title, classCode: c.class_code, status: c.status, members: c.members, assignedAt: c.created_at })),
      },
    };
  }

  /** Changes a title's title and/or author (metadata from the file is only a first guess). */
  async update(actor: Actor, customerId: string, bookId: string, input: { title?: string; author?: string }): Promise<BookView> {
    await this.allow(actor, { customerId, book: bookId });
    await this.book(customerId, bookId);
    const fields: FieldIssue[] = [];
    const title = input.title?.replace(/\s+/g, ' ').trim();
    const author = input.author?.replace(/\s+/g, ' ').trim();
    if (title !== undefined && !title) fields.push({ field: 'title', code: 'REQUIRED', message: 'Enter a title.' });
    if (title && title.length > MAX_TEXT) fields.push({ field: 'title', code: 'TOO_LONG', message: `Use at most ${MAX_TEXT} characters.` });
    if (author && author.length > MAX_TEXT) fields.push({ field: 'author', code: 'TOO_LONG', message: `Use at most ${MAX_TEXT} characters.` });
    if (fields.length) throw validationError(fields);
    const changed = { ...(title !== undefined ? { title } : {}), ...(author !== undefined ? { author } : {}) };
    await this.db.transaction().execute(async (trx) => {
      await new BookRepository(trx).update(customerId, bookId, { ...changed, updated_at: nowIso() });
      await new AuditService(trx).record(actor, { customerId, action: 'book.updated', targetType: 'book', targetId: bookId, fields: Object.keys(changed) });
    });
    return presentBook(await this.book(customerId, bookId));
  }

  /** Soft-deletes a title: it leaves lists, bookshelves and collections at once. */
  async remove(actor: Actor, customerId: string, bookId: string): Promise<void> {
    await this.allow(actor, { customerId, book: bookId });
    await this.book(customerId, bookId);
    await this.db.transaction().execute(async (trx) => {
      await new BookRepository(trx).softDelete(customerId, bookId, nowIso());
      await new AuditService(trx).record(actor, { customerId, action: 'book.deleted', targetType: 'book', targetId: bookId, fields: [] });
    });
  }

  /** The cover image of a title: a stream and its type; NOT_FOUND when it has none. */
  async cover(actor: Actor, customerId: string, bookId: string): Promise<{ stream: Readable; type: string; sizeBytes: number; etag: string }> {
    await this.allow(actor, { customerId, book: bookId });
    const book = await this.book(customerId, bookId);
    if (!book.cover_key || !book.cover_type) throw notFound('Cover');
    const { sizeBytes } = await this.store.stat(customerId, book.cover_key);
    return { stream: await this.store.open(customerId, book.cover_key), type: book.cover_type, sizeBytes, etag: `"${book.sha256.slice(0, 16)}"` };
  }

  /** The customer's collections. */
  async listCollections(actor: Actor, customerId: string): Promise<CollectionView[]> {
    assertCustomerAccess(actor, customerId);
    return (await new CollectionRepository(this.db).list(customerId)).map(presentCollection);
  }

  private async collection(customerId: string, collectionId: string): Promise<CollectionRow> {
    const c = await new CollectionRepository(this.db).find(customerId, collectionId);
    if (!c) throw notFound('Collection');
    return c;
  }

  /** One collection with its books in order. */
  async collectionDetail(actor: Actor, customerId: string, collectionId: string) {
    await this.allow(actor, { customerId, collection: collectionId });
    const c = await this.collection(customerId, collectionId);
    return { ...presentCollection(c), books: (await new CollectionRepository(this.db).books(customerId, collectionId)).map(presentBook) };
  }

  private async checkCollectionFields(customerId: string, input: { name?: string; description?: string }, exceptId?: string) {
    const name = input.name?.replace(/\s+/g, ' ').trim();
    const description = input.description?.trim();
    const fields: FieldIssue[] = [];
    if (name !== undefined && !name) fields.push({ field: 'name', code: 'REQUIRED', message: 'Enter a name.' });
    else if (name && name.length > 120) fields.push({ field: 'name', code: 'TOO_LONG', message: 'Use at most 120 characters.' });
    else if (name && (await new CollectionRepository(this.db).nameTaken(customerId, name, exceptId)))
      fields.push({ field: 'name', code: 'TAKEN', message: 'Another collection already has this name.' });
    if (description && description.length > 1000) fields.push({ field: 'description', code: 'TOO_LONG', message: 'Use at most 1000 characters.' });
    if (fields.length) throw validationError(fields);
    return { ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}) };
  }

  /** Creates a collection (names are unique within the customer). */
  async createCollection(actor: Actor, customerId: string, input: { name: string; description?: string }): Promise<CollectionView> {
    await this.assertCustomer(actor, customerId);
    const values = await this.checkCollectionFields(customerId, { name: input.name, description: input.description ?? '' });
    const now = nowIso();
    const id = uuidv7();
    await this.db.transaction().execute(async (trx) => {
      await new CollectionRepository(trx).insert({ id, customer_id: customerId, name: values.name ?? '', description: values.description ?? '', created_at: now, updated_at: now });
      await new AuditService(trx).record(actor, { customerId, action: 'collection.created', targetType: 'collection', targetId: id, fields: ['name', 'description'] });
    });
    return presentCollection(await this.collection(customerId, id));
  }

  /** Renames or re-describes a collection. */
  async updateCollection(actor: Actor, customerId: string, collectionId: string, input: { name?: string; description?: string }): Promise<CollectionView> {
    await this.allow(actor, { customerId, collection: collectionId });
    await this.collection(customerId, collectionId);
    const values = await this.checkCollectionFields(customerId, input, collectionId);
    await this.db.transaction().execute(async (trx) => {
      await new CollectionRepository(trx).update(customerId, collectionId, { ...values, updated_at: nowIso() });
      await new AuditService(trx).record(actor, { customerId, action: 'collection.updated', targetType: 'collection', targetId: collectionId, fields: Object.keys(values) });
    });
    return presentCollection(await this.collection(customerId, collectionId));
  }

  /** Deletes a collection; its titles and the assignments made from it stay. */
  async deleteCollection(actor: Actor, customerId: string, collectionId: string): Promise<void> {
    await this.allow(actor, { customerId, collection: collectionId });
    await this.collection(customerId, collectionId);
    await this.db.transaction().execute(async (trx) => {
      await new CollectionRepository(trx).delete(customerId, collectionId);
      await new AuditService(trx).record(actor, { customerId, action: 'collection.deleted', targetType: 'collection', targetId: collectionId, fields: [] });
    });
  }

  /** Sets a collection's titles in order: adding, removing and reordering are all this one call. */
  async setCollectionBooks(actor: Actor, customerId: string, collectionId: string, bookIds: string[]) {
    await this.allow(actor, { customerId, collection: collectionId });
    await this.collection(customerId, collectionId);
    const unique = [...new Set(bookIds)];
    const found = await new BookRepository(this.db).existing(customerId, unique);
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length) throw validationError(missing.map((id) => ({ field: `bookIds[${bookIds.indexOf(id)}]`, code: 'NOT_FOUND', message: 'No such title.' })));
    await this.db.transaction().execute(async (trx) => {
      await new CollectionRepository(trx).setBooks(customerId, collectionId, unique, nowIso());
      await new AuditService(trx).record(actor, { customerId, action: 'collection.books_set', targetType: 'collection', targetId: collectionId, fields: ['books'] });
    });
    return this.collectionDetail(actor, customerId, collectionId);
  }

  // Books named directly plus a collection's books; users and classes of this customer (and of an institute admin's schools) only.
  private async resolveAssignment(actor: Actor, customerId: string, input: AssignmentInput): Promise<{ bookIds: string[]; targets: AssignmentTarget[] }> {
    const fields: FieldIssue[] = [];
    const bookIds = [...new Set(input.bookIds ?? [])];
    const found = await new BookRepository(this.db).existing(customerId, bookIds);
    bookIds.forEach((id, i) => found.has(id) || fields.push({ field: `bookIds[${i}]`, code: 'NOT_FOUND', message: 'No such title.' }));
    if (input.collectionId) {
      const c = await new CollectionRepository(this.db).find(customerId, input.collectionId);
      if (!c) fields.push({ field: 'collectionId', code: 'NOT_FOUND', message: 'No such collection.' });
      else for (const b of await new CollectionRepository(this.db).books(customerId, c.id)) if (!bookIds.includes(b.id)) bookIds.push(b.id);
    }
    const repo = new AssignmentRepository(this.db);
    const targets: AssignmentTarget[] = [];
    for (const [type, key] of [
      ['user', 'userIds'],
      ['class', 'classIds'],
    ] as const) {
      const ids = [...new Set(input[key] ?? [])];
      const existing = await repo.existingTargets(customerId, type, ids);
      const ok = await visibleIds(this.db, actor, customerId, type, [...existing]);
      ids.forEach((id, i) => (ok.has(id) ? targets.push({ type, id }) : fields.push({ field: `${key}[${i}]`, code: 'NOT_FOUND', message: type === 'user' ? 'No such user.' : 'No such class.' })));
    }
    if (fields.length) throw validationError(fields);
    return { bookIds, targets };
  }

  /** Assigns titles (or a collection's titles) to users and classes; pairs already assigned stay as they are. */
  async assign(actor: Actor, customerId: string, input: AssignmentInput): Promise<{ created: number; books: number; targets: number }> {
    assertCustomerAccess(actor, customerId);
    const { bookIds, targets } = await this.resolveAssignment(actor, customerId, input);
    const created = await this.db.transaction().execute(async (trx) => {
      const n = await new AssignmentRepository(trx).assign(customerId, bookIds, targets, actor.userId, nowIso());
      if (n) await this.auditAssignments(trx, actor, customerId, 'assignment.created', bookIds, targets);
      return n;
    });
    return { created, books: bookIds.length, targets: targets.length };
  }

  /** Removes assignments of titles (or a collection's titles) from users and classes. */
  async unassign(actor: Actor, customerId: string, input: AssignmentInput): Promise<{ removed: number }> {
    assertCustomerAccess(actor, customerId);
    const { bookIds, targets } = await this.resolveAssignment(actor, customerId, input);
    const removed = await this.db.transaction().execute(async (trx) => {
      const n = await new AssignmentRepository(trx).unassign(customerId, bookIds, targets);
      if (n) await this.auditAssignments(trx, actor, customerId, 'assignment.deleted', bookIds, targets);
      return n;
    });
    return { removed };
  }

  // One entry per book, naming the targets, so the trail reads "book X: assigned to class Y".
  private async auditAssignments(trx: Kysely<Database>, actor: Actor, customerId: string, action: string, bookIds: string[], targets: AssignmentTarget[]): Promise<void> {
    const audit = new AuditService(trx);
    for (const bookId of bookIds) await audit.record(actor, { customerId, action, targetType: 'book', targetId: bookId, fields: targets.map((t) => `${t.type}:${t.id}`) });
  }

  /** The titles a user may read now (direct and through current class enrollments). */
  async booksOfUser(actor: Actor, customerId: string, userId: string) {
    await this.allow(actor, { customerId, user: userId });
    if (!(await new AssignmentRepository(this.db).existingTargets(customerId, 'user', [userId])).size) throw notFound('User');
    const books = await new AssignmentRepository(this.db).booksForUser(customerId, userId);
    // Classes of another school the person sits in are not named to an institute admin.
    const classIds = [...(await visibleIds(this.db, actor, customerId, 'class', [...new Set(books.flatMap((b) => b.via_class_ids))]))];
    const titles = new Map(
      classIds.length ? (await this.db.selectFrom('classes').select(['id', 'title']).where('customer_id', '=', customerId).where('id', 'in', classIds).execute()).map((c) => [c.id, c.title]) : [],
    );
    return books.map((b) => ({ ...presentBook(b), direct: b.direct, viaClasses: b.via_class_ids.filter((id) => titles.has(id)).map((id) => ({ id, title: titles.get(id)! })) }));
  }

  /** The titles assigned to a class. */
  async booksOfClass(actor: Actor, customerId: string, classId: string): Promise<BookView[]> {
    await this.allow(actor, { customerId, class: classId });
    if (!(await new AssignmentRepository(this.db).existingTargets(customerId, 'class', [classId])).size) throw notFound('Class');
    return (await new AssignmentRepository(this.db).forClass(customerId, classId)).map(presentBook);
  }
}

/** Raised when a multipart upload carries no file. */
export function missingFile(): AppError {
  return validationError([{ field: 'file', code: 'FILE_MISSING', message: 'Choose an EPUB or PDF file to upload.' }]);
}
