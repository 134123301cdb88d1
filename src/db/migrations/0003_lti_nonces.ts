import type { Kysely } from 'kysely';

/** Used LTI nonces per consumer key: the unique key makes replay protection hold across processes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lti_nonces')
    .addColumn('consumer_key', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('lti_nonces_pk', ['consumer_key', 'nonce'])
    .execute();
  await db.schema.createIndex('lti_nonces_expires').on('lti_nonces').column('expires_at').execute();
}
