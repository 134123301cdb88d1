import type { Kysely } from 'kysely';

/**
 * Reading settings (issue 15): one row per reader with their font, text size, line spacing, theme and
 * language, so the choice follows them to every device. No row means the defaults; the row goes with
 * the user.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reader_settings')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('font', 'text', (c) => c.notNull())
    .addColumn('font_size', 'integer', (c) => c.notNull())
    .addColumn('line_spacing', 'text', (c) => c.notNull())
    .addColumn('theme', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
