/*
 * Migration 0028 on an audit log written before it: every entry becomes a `write`, and an entry
 * whose target is a user is about that user, so the Audit page's person filter finds the changes
 * made before reads were logged.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { describeEachDialect } from '../../../test/helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.js';
import { openDatabase, type Db } from '../connection.js';
import { up } from './0028_audit_reads.js';

describeEachDialect('migration 0028_audit_reads', (dialect) => {
  let database: TestDatabase;
  let db: Db;
  before(async () => {
    database = await createTestDatabase(dialect);
    db = openDatabase(database.url);
  });
  after(async () => {
    await db.close();
    await database.drop();
  });

  it('keeps old entries as changes and gives those about a user their person', async () => {
    const k = db.kysely as unknown as Kysely<unknown>;
    // audit_log as migration 0001 made it.
    const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
    await sql`create table audit_log (id ${id}, customer_id text, actor_user_id text, actor_label text not null, action text not null, target_type text not null, target_id text not null, fields text not null, at text not null)`.execute(
      k,
    );
    const old = (action: string, targetType: string, targetId: string) =>
      sql`insert into audit_log (customer_id, actor_user_id, actor_label, action, target_type, target_id, fields, at) values ('c1', null, 'cli', ${action}, ${targetType}, ${targetId}, '[]', '2026-01-01T00:00:00.000Z')`.execute(
        k,
      );
    await old('user.updated', 'user', 'u1');
    await old('customer.updated', 'customer', 'c1');
    await up(k);
    const rows = await db.kysely.selectFrom('audit_log').select(['action', 'kind', 'subject_user_id']).orderBy('id').execute();
    assert.deepEqual(rows, [
      { action: 'user.updated', kind: 'write', subject_user_id: 'u1' },
      { action: 'customer.updated', kind: 'write', subject_user_id: null },
    ]);
  });
});
