import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AuditRepository } from './audit-repository.js';

const DAY_MS = 86_400_000;

/**
 * Deletes audit entries older than `retentionDays` (`LECTERN_AUDIT_RETENTION_DAYS`), reads and
 * changes alike, for every customer; the daily purge runs it. Returns how many went.
 */
export function purgeAuditEntries(db: Kysely<Database>, retentionDays: number, now: Date = new Date()): Promise<number> {
  return new AuditRepository(db).purgeOlderThanPlatformWide(new Date(now.getTime() - retentionDays * DAY_MS).toISOString());
}
