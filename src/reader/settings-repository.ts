import type { Kysely, Selectable } from 'kysely';
import type { Database, ReaderSettingsTable } from '../db/schema.js';

/** A stored reader-settings row. */
export type ReaderSettingsRow = Selectable<ReaderSettingsTable>;

/** A reader's settings: one row per user, always looked up and written within the user's customer. */
export class ReaderSettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The user's saved settings, or undefined when they have chosen nothing yet. */
  find(customerId: string, userId: string): Promise<ReaderSettingsRow | undefined> {
    return this.db.selectFrom('reader_settings').selectAll().where('customer_id', '=', customerId).where('user_id', '=', userId).executeTakeFirst();
  }

  /** Saves the user's settings (last write wins); the row is never moved to another customer. */
  async save(row: ReaderSettingsRow): Promise<void> {
    const values = { font: row.font, font_size: row.font_size, line_spacing: row.line_spacing, theme: row.theme, language: row.language, updated_at: row.updated_at };
    await this.db
      .insertInto('reader_settings')
      .values(row)
      .onConflict((oc) => oc.column('user_id').doUpdateSet(values).where('reader_settings.customer_id', '=', row.customer_id))
      .execute();
  }
}
