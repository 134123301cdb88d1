import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/**
 * PostgreSQL: the planner writes every staged row once more (its action, its target). Leaving room
 * on each page lets those updates stay on the page (HOT) instead of rewriting every stage index.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect !== 'postgres') return;
  for (const table of ['stage_orgs', 'stage_academic_sessions', 'stage_courses', 'stage_classes', 'stage_users', 'stage_enrollments']) {
    await sql`alter table ${sql.table(table)} set (fillfactor = 60)`.execute(db);
  }
}
