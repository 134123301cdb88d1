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

/**
 * What an LTI 1.1 launch leaves, inserted straight (test seeding): the LMS user `lmsUserId` linked to
 * `linkUserId`, and `bindingUserId`'s grade link for a title, of consumer `guid-<tag>`.
 */
export async function insertLtiLaunchTrail(
  db: Kysely<Database>,
  o: { customerId: string; tag: string; lmsUserId: string; linkUserId: string; bindingUserId: string; bookId: string; consumerKey: string; resultSourcedId: string },
): Promise<void> {
  const now = new Date().toISOString();
  const guid = `guid-${o.tag}`;
  await db.insertInto('lti_user_links').values({ customer_id: o.customerId, consumer_guid: guid, lti_user_id: o.lmsUserId, user_id: o.linkUserId, created_at: now, last_launch_at: now }).execute();
  await db
    .insertInto('lti_outcome_bindings')
    .values({
      id: crypto.randomUUID(),
      customer_id: o.customerId,
      user_id: o.bindingUserId,
      consumer_guid: guid,
      resource_link_id: `link-${o.tag}`,
      target_type: 'book',
      target_id: o.bookId,
      service_url: `https://lms-${o.tag}.example/outcomes`,
      result_sourcedid: o.resultSourcedId,
      consumer_key: o.consumerKey,
      reported_score: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}
