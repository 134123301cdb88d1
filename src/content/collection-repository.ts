import type { Kysely } from 'kysely';
import type { CollectionsTable, Database } from '../db/schema.js';
import type { BookRow } from './book-repository.js';

/** A collection row with the number of live books in it. */
export type CollectionRow = CollectionsTable & { book_count: number };

/** Collection queries, always within one customer. */
export class CollectionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The customer's collections by name, with book counts. */
  async list(customerId: string): Promise<CollectionRow[]> {
    const rows = await this.withCounts(customerId).orderBy('c.name').execute();
    return rows.map((r) => ({ ...r, book_count: Number(r.book_count ?? 0) }));
  }

  /** One collection of the customer, or undefined. */
  async find(customerId: string, collectionId: string): Promise<CollectionRow | undefined> {
    const row = await this.withCounts(customerId).where('c.id', '=', collectionId).executeTakeFirst();
    return row && { ...row, book_count: Number(row.book_count ?? 0) };
  }

  private withCounts(customerId: string) {
    return this.db
      .selectFrom('collections as c')
      .selectAll('c')
      .select((eb) =>
        eb
          .selectFrom('collection_books as cb')
          .innerJoin('books as b', 'b.id', 'cb.book_id')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('cb.collection_id', '=', 'c.id')
          .where('b.deleted_at', 'is', null)
          .as('book_count'),
      )
      .where('c.customer_id', '=', customerId);
  }

  /** Whether the customer already has a collection of that name (other than `exceptId`). */
  async nameTaken(customerId: string, name: string, exceptId?: string): Promise<boolean> {
    let q = this.db.selectFrom('collections').select('id').where('customer_id', '=', customerId).where('name', '=', name);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  /** Stores a new collection. */
  async insert(row: CollectionsTable): Promise<void> {
    await this.db.insertInto('collections').values(row).execute();
  }

  /** Renames or re-describes a collection. */
  async update(customerId: string, collectionId: string, values: { name?: string; description?: string; updated_at: string }): Promise<void> {
    await this.db.updateTable('collections').set(values).where('customer_id', '=', customerId).where('id', '=', collectionId).execute();
  }

  /** Deletes a collection (its books stay, and so do assignments already made from it). Run it in a transaction. */
  async delete(customerId: string, collectionId: string): Promise<void> {
    const owned = await this.db.selectFrom('collections').select('id').where('customer_id', '=', customerId).where('id', '=', collectionId).executeTakeFirst();
    if (!owned) return;
    await this.db.deleteFrom('collection_books').where('collection_id', '=', collectionId).execute();
    await this.db.deleteFrom('collections').where('id', '=', collectionId).execute();
  }

  /** The live books of a collection, in the collection's order. */
  books(customerId: string, collectionId: string): Promise<BookRow[]> {
    return this.db
      .selectFrom('collection_books as cb')
      .innerJoin('books as b', 'b.id', 'cb.book_id')
      .innerJoin('collections as c', 'c.id', 'cb.collection_id')
      .selectAll('b')
      .where('c.customer_id', '=', customerId)
      .where('b.customer_id', '=', customerId)
      .where('cb.collection_id', '=', collectionId)
      .where('b.deleted_at', 'is', null)
      .orderBy('cb.position')
      .execute();
  }

  /** The collections of the customer that hold a book. */
  ofBook(customerId: string, bookId: string): Promise<{ id: string; name: string }[]> {
    return this.db
      .selectFrom('collection_books as cb')
      .innerJoin('collections as c', 'c.id', 'cb.collection_id')
      .select(['c.id', 'c.name'])
      .where('c.customer_id', '=', customerId)
      .where('cb.book_id', '=', bookId)
      .orderBy('c.name')
      .execute();
  }

  /**
   * Replaces the collection's books with `bookIds`, in that order (add, remove and reorder in one);
   * nothing when the collection is not the customer's. Run it in a transaction.
   */
  async setBooks(customerId: string, collectionId: string, bookIds: string[], updatedAt: string): Promise<void> {
    const owned = await this.db.updateTable('collections').set({ updated_at: updatedAt }).where('customer_id', '=', customerId).where('id', '=', collectionId).executeTakeFirst();
    if (!Number(owned.numUpdatedRows)) return;
    await this.db.deleteFrom('collection_books').where('collection_id', '=', collectionId).execute();
    for (let i = 0; i < bookIds.length; i += 500) {
      await this.db
        .insertInto('collection_books')
        .values(bookIds.slice(i, i + 500).map((book_id, j) => ({ collection_id: collectionId, book_id, position: i + j })))
        .execute();
    }
  }
}
