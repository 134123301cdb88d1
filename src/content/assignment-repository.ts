import type { Kysely } from 'kysely';
import { uuidv7 } from '../db/uuid.js';
import type { Database } from '../db/schema.js';
import type { BookRow } from './book-repository.js';

/** Who a book is assigned to: a user or a class. */
export type AssignmentTarget = { type: 'user' | 'class'; id: string };

/** A book a user may read, and how it reaches them. */
export type ReadableBook = BookRow & {
  /** Assigned to the user directly. */
  direct: boolean;
  /** Ids of the classes (the user is enrolled in now) it is assigned to. */
  via_class_ids: string[];
};

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * A user's enrollments that hold right now (joined to their class as `c`): enrollment, class and
 * user all active, and `day` (today, UTC) inside the enrollment's begin/end dates where it has them.
 * This is where a class assignment starts and stops reaching a person, and which classes a teacher
 * teaches; roster runs change nothing else for it. `role` narrows to e.g. teacher enrollments.
 */
export function currentEnrollments(db: Kysely<Database>, customerId: string, userId: string, opts: { role?: string; day?: string } = {}) {
  const day = opts.day ?? today();
  let q = db
    .selectFrom('enrollments as e')
    .innerJoin('users as u', (j) => j.onRef('u.customer_id', '=', 'e.customer_id').onRef('u.sourced_id', '=', 'e.user_sourced_id'))
    .innerJoin('classes as c', (j) => j.onRef('c.customer_id', '=', 'e.customer_id').onRef('c.sourced_id', '=', 'e.class_sourced_id'))
    .where('e.customer_id', '=', customerId)
    .where('u.id', '=', userId)
    .where('e.status', '=', 'active')
    .where('c.status', '=', 'active')
    .where((eb) => eb.or([eb('e.begin_date', 'is', null), eb('e.begin_date', '=', ''), eb('e.begin_date', '<=', day)]))
    .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '=', ''), eb('e.end_date', '>=', day)]));
  if (opts.role) q = q.where('e.role', '=', opts.role);
  return q;
}

/** Assignments of books to users and classes, always within one customer. */
export class AssignmentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * THE answer to "which books may this user read": live books of the customer assigned to the
   * user directly, or to a class the user is enrolled in now (see currentEnrollments). The user must
   * be an active member of the customer. With `bookId`, only that book (canRead uses this).
   * Ordered by title.
   */
  async booksForUser(customerId: string, userId: string, opts: { bookId?: string } = {}): Promise<ReadableBook[]> {
    const classIds = currentEnrollments(this.db, customerId, userId).select('c.id');
    let q = this.db
      .selectFrom('assignments as a')
      .innerJoin('books as b', 'b.id', 'a.book_id')
      .innerJoin('users as u', (j) => j.on('u.id', '=', userId).on('u.customer_id', '=', customerId).on('u.status', '=', 'active'))
      .selectAll('b')
      .select(['a.target_type', 'a.target_id'])
      .where('a.customer_id', '=', customerId)
      .where('b.customer_id', '=', customerId)
      .where('b.deleted_at', 'is', null)
      .where((eb) => eb.or([eb.and([eb('a.target_type', '=', 'user'), eb('a.target_id', '=', userId)]), eb.and([eb('a.target_type', '=', 'class'), eb('a.target_id', 'in', classIds)])]));
    if (opts.bookId) q = q.where('b.id', '=', opts.bookId);
    const rows = await q.orderBy('b.title').orderBy('b.id').execute();
    const books = new Map<string, ReadableBook>();
    for (const { target_type, target_id, ...book } of rows) {
      const entry = books.get(book.id) ?? { ...book, direct: false, via_class_ids: [] };
      if (target_type === 'user') entry.direct = true;
      else entry.via_class_ids.push(target_id);
      books.set(book.id, entry);
    }
    return [...books.values()];
  }

  /** Whether the user may open the book now (the same resolution as booksForUser). */
  async canRead(customerId: string, userId: string, bookId: string): Promise<boolean> {
    return (await this.booksForUser(customerId, userId, { bookId })).length > 0;
  }

  /** Assigns every book to every target; existing pairs are left as they are. Returns how many were new. */
  async assign(customerId: string, bookIds: string[], targets: AssignmentTarget[], assignedBy: string | null, at: string): Promise<number> {
    const rows = bookIds.flatMap((book_id) => targets.map((t) => ({ id: uuidv7(), customer_id: customerId, book_id, target_type: t.type, target_id: t.id, assigned_by: assignedBy, created_at: at })));
    let created = 0;
    // Chunked so a large class list stays under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 500) {
      const result = await this.db
        .insertInto('assignments')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['customer_id', 'target_type', 'target_id', 'book_id']).doNothing())
        .executeTakeFirst();
      created += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return created;
  }

  /** Removes the assignments of the books to the targets. Returns how many were removed. */
  async unassign(customerId: string, bookIds: string[], targets: AssignmentTarget[]): Promise<number> {
    if (!bookIds.length || !targets.length) return 0;
    let removed = 0;
    for (const type of ['user', 'class'] as const) {
      const ids = targets.filter((t) => t.type === type).map((t) => t.id);
      if (!ids.length) continue;
      const result = await this.db
        .deleteFrom('assignments')
        .where('customer_id', '=', customerId)
        .where('book_id', 'in', bookIds)
        .where('target_type', '=', type)
        .where('target_id', 'in', ids)
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    return removed;
  }

  /** Who a book is assigned to, with names, and for classes how many people are enrolled now. */
  async forBook(customerId: string, bookId: string) {
    const users = await this.db
      .selectFrom('assignments as a')
      .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'a.target_id').onRef('u.customer_id', '=', 'a.customer_id'))
      .select(['a.id', 'a.created_at', 'u.id as target_id', 'u.login', 'u.given_name', 'u.family_name', 'u.role', 'u.status'])
      .where('a.customer_id', '=', customerId)
      .where('a.book_id', '=', bookId)
      .where('a.target_type', '=', 'user')
      .orderBy('u.family_name')
      .orderBy('u.given_name')
      .execute();
    const day = today();
    const classes = await this.db
      .selectFrom('assignments as a')
      .innerJoin('classes as c', (j) => j.onRef('c.id', '=', 'a.target_id').onRef('c.customer_id', '=', 'a.customer_id'))
      .select(['a.id', 'a.created_at', 'c.id as target_id', 'c.title', 'c.class_code', 'c.status'])
      .select((eb) =>
        eb
          .selectFrom('enrollments as e')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('e.customer_id', '=', customerId)
          .whereRef('e.class_sourced_id', '=', 'c.sourced_id')
          .where('e.status', '=', 'active')
          .where((w) => w.or([w('e.begin_date', 'is', null), w('e.begin_date', '=', ''), w('e.begin_date', '<=', day)]))
          .where((w) => w.or([w('e.end_date', 'is', null), w('e.end_date', '=', ''), w('e.end_date', '>=', day)]))
          .as('members'),
      )
      .where('a.customer_id', '=', customerId)
      .where('a.book_id', '=', bookId)
      .where('a.target_type', '=', 'class')
      .orderBy('c.title')
      .execute();
    return { users, classes: classes.map((c) => ({ ...c, members: Number(c.members ?? 0) })) };
  }

  /** The live books assigned straight to a class (its members also see them). */
  forClass(customerId: string, classId: string): Promise<BookRow[]> {
    return this.db
      .selectFrom('assignments as a')
      .innerJoin('books as b', 'b.id', 'a.book_id')
      .selectAll('b')
      .where('a.customer_id', '=', customerId)
      .where('a.target_type', '=', 'class')
      .where('a.target_id', '=', classId)
      .where('b.deleted_at', 'is', null)
      .orderBy('b.title')
      .execute();
  }

  /** Which of `ids` are users (type `user`) or classes (type `class`) of the customer, not deleted. */
  async existingTargets(customerId: string, type: 'user' | 'class', ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows =
      type === 'user'
        ? await this.db.selectFrom('users').select('id').where('customer_id', '=', customerId).where('id', 'in', ids).where('status', '!=', 'deleted').execute()
        : await this.db.selectFrom('classes').select('id').where('customer_id', '=', customerId).where('id', 'in', ids).where('status', '!=', 'deleted').execute();
    return new Set(rows.map((r) => r.id));
  }
}

/** Books this user may read (see AssignmentRepository.booksForUser), for the reader and LTI. */
export function booksForUser(db: Kysely<Database>, customerId: string, userId: string): Promise<ReadableBook[]> {
  return new AssignmentRepository(db).booksForUser(customerId, userId);
}

/** Whether this user may open this book now, for the reader and LTI. */
export function canRead(db: Kysely<Database>, customerId: string, userId: string, bookId: string): Promise<boolean> {
  return new AssignmentRepository(db).canRead(customerId, userId, bookId);
}
