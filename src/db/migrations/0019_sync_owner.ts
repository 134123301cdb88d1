import type { Kysely } from 'kysely';

/**
 * Which sync keeps a roster class, user or enrollment: `oneroster` (a OneRoster file or API; what a
 * bulk file stops listing is deleted) or `lms` (made by a Sync from LMS, NRPS 2.0). A OneRoster bulk
 * file deletes only what OneRoster keeps, so people and classes an LMS pull made are never lost to a
 * file that does not know them; a OneRoster file that lists one of them takes it over. Every record
 * that exists now came from OneRoster or by hand (pulls are new), hence the default.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['classes', 'users', 'enrollments']) {
    await db.schema
      .alterTable(table)
      .addColumn('sync_owner', 'text', (c) => c.notNull().defaultTo('oneroster'))
      .execute();
  }
}
