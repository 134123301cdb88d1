import type { Kysely } from 'kysely';
import { purgeAuditEntries } from './audit/audit-purge.js';
import { purgeDeletedBooks } from './content/book-purge.js';
import type { ContentStore } from './content/content-store.js';
import type { Database } from './db/schema.js';
import { purgeBundles, type BundleStore } from './rostering/runs/bundle-store.js';
import { expireHeldRuns, purgeExpired, type PurgeResult } from './rostering/purge.js';

/**
 * Everything past its retention period: soft-deleted roster records (the customer's period), runs
 * held for approval and the kept files of previews (`LECTERN_BUNDLE_RETENTION_DAYS`), roster files
 * no run needs, deleted titles with their files, and audit entries older than
 * `LECTERN_AUDIT_RETENTION_DAYS`. The daily purge job and `lectern purge` run this.
 */
export async function purgeAll(db: Kysely<Database>, store: ContentStore, bundles: BundleStore, auditRetentionDays: number, now: Date = new Date()): Promise<PurgeResult> {
  const result = await purgeExpired(db, now);
  result.heldRuns = await expireHeldRuns(db, bundles.retentionDays, now);
  result.bundles = await purgeBundles(db, bundles, now);
  result.books = await purgeDeletedBooks(db, store, now);
  result.auditEntries = await purgeAuditEntries(db, auditRetentionDays, now);
  return result;
}
