import crypto from 'node:crypto';
import { after, before } from 'node:test';
import type { Insertable, Kysely } from 'kysely';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { BooksTable, Database } from '../../src/db/schema.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.js';

/** Inserts a PDF title of the customer straight into the database (no file behind it) and returns its id. */
export async function insertBook(db: Kysely<Database>, customerId: string, title: string, fields: Partial<Insertable<BooksTable>> = {}): Promise<string> {
  const id = fields.id ?? crypto.randomUUID();
  const now = new Date().toISOString();
  await db
    .insertInto('books')
    .values({
      id,
      customer_id: customerId,
      title,
      author: 'A. Author',
      format: 'pdf',
      file_key: id,
      size_bytes: 10,
      sha256: '',
      cover_key: null,
      cover_type: null,
      created_by: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
      ...fields,
    })
    .execute();
  return id;
}

/** Inside a describe: a fresh database of `dialect`, migrated before its tests and dropped after; read `.db` in a test. */
export function useMigratedDatabase(dialect: TestDialect): { readonly db: Db } {
  let database: TestDatabase;
  let db: Db;
  before(async () => {
    database = await createTestDatabase(dialect);
    db = openDatabase(database.url);
    await migrateToLatest(db);
  });
  after(async () => {
    await db.close();
    await database.drop();
  });
  return {
    get db() {
      return db;
    },
  };
}
