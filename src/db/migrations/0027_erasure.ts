import { sql, type Kysely } from 'kysely';

/**
 * Erasure (issue 16). `erasure_certificates` is the lasting record of what an erasure removed: no
 * foreign key to anything it names, so it outlives the customer or person it describes, and it holds
 * no personal data (codes, counts, uuids and digests only). `erased_sourced_ids` keeps a keyed hash
 * (HMAC with a key derived from the data key) of each erased person's sourcedId, never the value, so a
 * later roster that brings the same person back can say so. `customer_offboarding` holds when a
 * customer was disabled and its own offboarding period (null: the operator's LECTERN_OFFBOARDING_DAYS).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('erasure_certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('customer_code', 'text', (c) => c.notNull())
    .addColumn('customer_name', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('erased_at', 'text', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('manifest_sha256', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('erasure_certificates_customer').on('erasure_certificates').columns(['customer_id', 'erased_at']).execute();
  await db.schema.createIndex('erasure_certificates_erased_at').on('erasure_certificates').column('erased_at').execute();

  await db.schema
    .createTable('erased_sourced_ids')
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('certificate_id', 'text', (c) => c.notNull())
    .addColumn('erased_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('erased_sourced_ids_pk', ['customer_id', 'digest'])
    .execute();

  await db.schema
    .createTable('customer_offboarding')
    .addColumn('customer_id', 'text', (c) => c.primaryKey().references('customers.id'))
    .addColumn('offboarding_days', 'integer')
    .addColumn('disabled_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Customers disabled before this version start their offboarding period now: none is erased by
  // the first purge after an upgrade without the notice the period gives.
  const now = new Date().toISOString();
  await sql`insert into customer_offboarding (customer_id, offboarding_days, disabled_at, updated_at)
    select id, null, ${now}, ${now} from customers where status = 'disabled'`.execute(db);
}
