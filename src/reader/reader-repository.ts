import type { Kysely, Selectable } from 'kysely';
import type { Database, ReadingProgressTable } from '../db/schema.js';
import { currentEnrollments } from '../content/assignment-repository.js';

/** A stored reading-progress row. */
export type ReadingProgress = Selectable<ReadingProgressTable>;

/** A class a teacher teaches, as the reader's class tabs show it. */
export interface TaughtClass {
  id: string;
  title: string;
  class_code: string;
}

/** A collection as the reader lists it. */
export interface ReaderCollection {
  id: string;
  name: string;
  description: string;
}

/**
 * The reader's queries: a teacher's classes, collections and reading progress. Every query is scoped by
 * the customer id it is given. Who may read what is not decided here but by the content domain's
 * assignment resolution (content/assignment-repository.ts).
 */
export class ReaderRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The user's progress in each of `bookIds` that they have opened. */
  async progressOf(customerId: string, userId: string, bookIds: readonly string[]): Promise<Map<string, ReadingProgress>> {
    if (bookIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('reading_progress')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('user_id', '=', userId)
      .where('book_id', 'in', [...bookIds])
      .execute();
    return new Map(rows.map((r) => [r.book_id, r]));
  }

  /** Saves where the user is in a book (one row per user and book, last write wins). */
  async saveProgress(row: ReadingProgress): Promise<void> {
    await this.db
      .insertInto('reading_progress')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['user_id', 'book_id']).doUpdateSet({ position: row.position, progress: row.progress, updated_at: row.updated_at }).where('reading_progress.customer_id', '=', row.customer_id),
      )
      .execute();
  }

  /** Live classes of the customer in which the user has a live teacher enrollment, by title. */
  taughtClasses(customerId: string, userId: string, today: string): Promise<TaughtClass[]> {
    return currentEnrollments(this.db, customerId, userId, { role: 'teacher', day: today }).select(['c.id', 'c.title', 'c.class_code']).distinct().orderBy('c.title').orderBy('c.id').execute();
  }

  /** The customer's collections that hold at least one of `bookIds`, by name. */
  async collectionsHolding(customerId: string, bookIds: readonly string[]): Promise<(ReaderCollection & { book_count: number })[]> {
    if (bookIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('collections as c')
      .innerJoin('collection_books as cb', 'cb.collection_id', 'c.id')
      .select(['c.id', 'c.name', 'c.description', (eb) => eb.fn.countAll<number | string>().as('book_count')])
      .where('c.customer_id', '=', customerId)
      .where('cb.book_id', 'in', [...bookIds])
      .groupBy(['c.id', 'c.name', 'c.description'])
      .orderBy('c.name')
      .execute();
    return rows.map((r) => ({ ...r, book_count: Number(r.book_count) }));
  }

  /** One collection of the customer and its book ids in the collection's order. */
  async collection(customerId: string, collectionId: string): Promise<(ReaderCollection & { bookIds: string[] }) | undefined> {
    const c = await this.db.selectFrom('collections').select(['id', 'name', 'description']).where('customer_id', '=', customerId).where('id', '=', collectionId).executeTakeFirst();
    if (!c) return undefined;
    const rows = await this.db
      .selectFrom('collection_books as cb')
      .innerJoin('books as b', 'b.id', 'cb.book_id')
      .select('cb.book_id')
      .where('cb.collection_id', '=', collectionId)
      .where('b.customer_id', '=', customerId)
      .orderBy('cb.position')
      .execute();
    return { ...c, bookIds: rows.map((r) => r.book_id) };
  }
}
