import type { Kysely } from 'kysely';
import { purgeDeletedBooks } from './content/book-purge.js';
import type { ContentStore } from './content/content-store.js';
import type { Database } from './db/schema.js';
import { purgeExpired, type PurgeResult } from './rostering/purge.js';

/**
 * Everything past its customer's retention period: soft-deleted roster records, then deleted titles
 * with their files. The daily purge job and `lectern purge` run this.
 */
export async function purgeAll(db: Kysely<Database>, store: ContentStore, now: Date = new Date()): Promise<PurgeResult> {
  const result = await purgeExpired(db, now);
  result.books = await purgeDeletedBooks(db, store, now);
  return result;
}
