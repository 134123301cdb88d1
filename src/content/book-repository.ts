import type { Insertable, Kysely } from 'kysely';
import { containsPattern, matches } from '../accounts/user-repository.js';
import type { BooksTable, Database } from '../db/schema.js';

/** A book row as stored. */
export type BookRow = BooksTable;

/** Filters for a customer's titles. */
export interface BookListQuery {
  search?: string;
  limit: number;
  offset: number;
}

/** Book queries, always within one customer; soft-deleted books are invisible here. */
export class BookRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new book. */
  async insert(row: Insertable<BooksTable>): Promise<void> {
    await this.db.insertInto('books').values(row).execute();
  }

  /** One live book of the customer, or undefined. */
  find(customerId: string, bookId: string): Promise<BookRow | undefined> {
    return this.db.selectFrom('books').selectAll().where('customer_id', '=', customerId).where('id', '=', bookId).where('deleted_at', 'is', null).executeTakeFirst();
  }

  /** The ids among `bookIds` that are live books of the customer. */
  async existing(customerId: string, bookIds: string[]): Promise<Set<string>> {
    if (!bookIds.length) return new Set();
    const rows = await this.db.selectFrom('books').select('id').where('customer_id', '=', customerId).where('id', 'in', bookIds).where('deleted_at', 'is', null).execute();
    return new Set(rows.map((r) => r.id));
  }

  /** One page of the customer's titles by title, with the total and each book's assignment count. */
  async list(customerId: string, q: BookListQuery): Promise<{ items: (BookRow & { assignment_count: number })[]; total: number }> {
    let base = this.db.selectFrom('books as b').where('b.customer_id', '=', customerId).where('b.deleted_at', 'is', null);
    if (q.search) {
      const pattern = containsPattern(q.search);
      base = base.where((eb) => eb.or([matches('b.title', pattern), matches('b.author', pattern)]));
    }
    const [items, total] = await Promise.all([
      base
        .selectAll('b')
        .select((eb) =>
          eb
            .selectFrom('assignments as a')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('a.book_id', '=', 'b.id')
            .where('a.customer_id', '=', customerId)
            .as('assignment_count'),
        )
        .orderBy('b.title')
        .orderBy('b.id')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: items.map((b) => ({ ...b, assignment_count: Number(b.assignment_count ?? 0) })), total: Number(total.n) };
  }

  /** Changes title and author. */
  async update(customerId: string, bookId: string, values: { title?: string; author?: string; updated_at: string }): Promise<void> {
    await this.db.updateTable('books').set(values).where('customer_id', '=', customerId).where('id', '=', bookId).execute();
  }

  /** Soft-deletes: the book leaves every list, bookshelf and collection view at once; the file stays. */
  async softDelete(customerId: string, bookId: string, at: string): Promise<void> {
    await this.db.updateTable('books').set({ deleted_at: at, updated_at: at }).where('customer_id', '=', customerId).where('id', '=', bookId).where('deleted_at', 'is', null).execute();
  }
}
