import type { Kysely } from 'kysely';
import { purgeAuditEntries } from './audit/audit-purge.js';
import type { Config } from './config.js';
import { purgeDeletedBooks } from './content/book-purge.js';
import type { ContentStore } from './content/content-store.js';
import type { Database } from './db/schema.js';
import type { ErasureService } from './privacy/erasure/erasure-service.js';
import { purgeBundles, type BundleStore } from './rostering/runs/bundle-store.js';
import { purgeRunDetails } from './rostering/runs/run-detail-purge.js';
import { expireHeldRuns, purgeExpired, type PurgeResult } from './rostering/purge.js';

/** The periods and services one purge keeps to. */
export interface PurgeSettings {
  /** `LECTERN_AUDIT_RETENTION_DAYS` */
  auditRetentionDays: number;
  /** `LECTERN_RUN_DETAIL_DAYS` */
  runDetailDays: number;
  /** Erases customers past their offboarding period; without it, none is erased. */
  erasure?: Pick<ErasureService, 'eraseOffboarded' | 'sweepLeftovers'>;
  now?: Date;
}

/** The purge's settings from the configuration. */
export function purgeSettings(config: Pick<Config, 'auditRetentionDays' | 'runDetailDays'>, erasure?: PurgeSettings['erasure']): PurgeSettings {
  return { auditRetentionDays: config.auditRetentionDays, runDetailDays: config.runDetailDays, erasure };
}

/**
 * Everything past its retention period: customers disabled longer than their offboarding period
 * (erased, with a certificate, and the files an interrupted erasure left), soft-deleted roster records
 * with the run history that named them (the customer's period), runs held for approval and the kept
 * files of previews (`LECTERN_BUNDLE_RETENTION_DAYS`), roster files no run needs, deleted titles with
 * their files, the row details of old runs (`LECTERN_RUN_DETAIL_DAYS`) and audit entries
 * (`LECTERN_AUDIT_RETENTION_DAYS`). The daily purge job and `lectern purge` run this.
 */
export async function purgeAll(db: Kysely<Database>, store: ContentStore, bundles: BundleStore, settings: PurgeSettings): Promise<PurgeResult> {
  const now = settings.now ?? new Date();
  const { erasure } = settings;
  const offboarded: PurgeResult = erasure ? { customersErased: await erasure.eraseOffboarded(now), leftoverFolders: await erasure.sweepLeftovers() } : {};
  const result: PurgeResult = { ...offboarded, ...(await purgeExpired(db, now)) };
  result.heldRuns = await expireHeldRuns(db, bundles.retentionDays, now);
  result.bundles = await purgeBundles(db, bundles, now);
  result.books = await purgeDeletedBooks(db, store, now);
  result.runDetails = await purgeRunDetails(db, settings.runDetailDays, now);
  result.auditEntries = await purgeAuditEntries(db, settings.auditRetentionDays, now);
  return result;
}
