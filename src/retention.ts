import type { Kysely } from 'kysely';
import { purgeDeletedBooks } from './content/book-purge.js';
import type { ContentStore } from './content/content-store.js';
import type { Database } from './db/schema.js';
import { purgeBundles, type BundleStore } from './rostering/runs/bundle-store.js';
import { expireHeldRuns, purgeExpired, type PurgeResult } from './rostering/purge.js';
import type { ErasureService } from './privacy/erasure/erasure-service.js';

/**
 * Everything past its retention period: customers disabled longer than their offboarding period
 * (erased, with a certificate, and the files an interrupted erasure left), soft-deleted roster records
 * (the customer's period), runs held for approval and the kept files of previews
 * (`LECTERN_BUNDLE_RETENTION_DAYS`), roster files no run needs, then deleted titles with their files.
 * The daily purge job and `lectern purge` run this.
 */
export async function purgeAll(
  db: Kysely<Database>,
  store: ContentStore,
  bundles: BundleStore,
  now: Date = new Date(),
  erasure?: Pick<ErasureService, 'eraseOffboarded' | 'sweepLeftovers'>,
): Promise<PurgeResult> {
  const offboarded: PurgeResult = erasure ? { customersErased: await erasure.eraseOffboarded(now), leftoverFolders: await erasure.sweepLeftovers() } : {};
  const result: PurgeResult = { ...offboarded, ...(await purgeExpired(db, now)) };
  result.heldRuns = await expireHeldRuns(db, bundles.retentionDays, now);
  result.bundles = await purgeBundles(db, bundles, now);
  result.books = await purgeDeletedBooks(db, store, now);
  return result;
}
