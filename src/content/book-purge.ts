import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ContentStore } from './content-store.js';

// A customer without roster settings keeps deleted titles as long as the default retention period.
const DEFAULT_RETENTION_DAYS = 30;

/**
 * Removes titles deleted longer ago than their customer's retention period: the row (its
 * collection places, assignments and reading progress go with it, by cascade) and then its files.
 * Rows go first, so a failure leaves at worst an unreferenced file, never a title without its file.
 * Returns how many titles were removed.
 */
export async function purgeDeletedBooks(db: Kysely<Database>, store: ContentStore, now: Date = new Date()): Promise<number> {
  const deleted = await db
    .selectFrom('books as b')
    .leftJoin('rostering_configs as r', 'r.customer_id', 'b.customer_id')
    .select(['b.id', 'b.customer_id', 'b.file_key', 'b.cover_key', 'b.deleted_at', 'r.retention_days'])
    .where('b.deleted_at', 'is not', null)
    .execute();
  let removed = 0;
  for (const book of deleted) {
    const cutoff = new Date(now.getTime() - (book.retention_days ?? DEFAULT_RETENTION_DAYS) * 86_400_000).toISOString();
    if ((book.deleted_at ?? '') >= cutoff) continue;
    const result = await db.deleteFrom('books').where('customer_id', '=', book.customer_id).where('id', '=', book.id).where('deleted_at', 'is not', null).executeTakeFirst();
    if (!Number(result.numDeletedRows)) continue;
    await store.remove(book.customer_id, book.file_key);
    if (book.cover_key) await store.remove(book.customer_id, book.cover_key);
    removed++;
  }
  return removed;
}
