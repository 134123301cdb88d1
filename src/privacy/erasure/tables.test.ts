/*
 * The erasure's list of tables against the schema as the migrations leave it, on both dialects: a
 * table added later that holds a customer's data (or points to one of its people) must be erased by
 * both erasures, or say why it holds nothing of a customer. This fails for the table nobody thought
 * of, before any customer's data survives an erasure in it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { DIALECTS } from '../../../test/helpers/databases.js';
import { useMigratedDatabase } from '../../../test/helpers/lti-fixtures.js';
import { ERASURE_TABLES, KEPT_TABLES, PLATFORM_TABLES } from './tables.js';

// Columns that say a row belongs to a customer, or hangs off one of its records.
const TENANT_COLUMNS = ['customer_id', 'user_id', 'run_id', 'collection_id', 'binding_id', 'platform_id'];
// Columns that hold a person's id, name or sourcedId: each must be declared `personal` by its table.
const PERSON_COLUMN = /(^|_)user_id$|^user_sourced_id$|_by$|^actor_label$/;
// Columns the pattern catches that name no person.
const NOT_PEOPLE: Record<string, string> = { 'jobs.locked_by': 'the worker process holding a job' };

for (const dialect of DIALECTS) {
  describe(`Erasure covers every table [${dialect}]`, () => {
    const fixture = useMigratedDatabase(dialect);
    const schema = async () =>
      (await fixture.db.kysely.introspection.getTables({ withInternalKyselyTables: true }))
        .filter((t) => !t.isView && (t.schema === undefined || t.schema === 'public'))
        .map((t) => ({ name: t.name, columns: t.columns.map((c) => c.name) }));

    it('every table is erased, kept on purpose, or holds nothing of any customer; and no table is listed twice', async () => {
      assert.equal(new Set(LISTED).size, LISTED.length, 'a table is listed twice');
      const tables = (await schema()).map((t) => t.name);
      assert.deepEqual(
        unknownTables(await schema()),
        [],
        'tables the erasure does not know: add them to ERASURE_TABLES (src/privacy/erasure/tables.ts), or to PLATFORM_TABLES saying why no customer data is in them',
      );
      assert.deepEqual(
        LISTED.filter((t) => !tables.includes(t)),
        [],
        'listed tables that do not exist',
      );
    });

    it('a table with a column that ties rows to a customer is erased with it, not waved through as platform data', async () => {
      for (const t of await schema()) {
        if (!t.columns.some((c) => TENANT_COLUMNS.includes(c))) continue;
        assert.ok(!(t.name in PLATFORM_TABLES), `${t.name} has ${t.columns.filter((c) => TENANT_COLUMNS.includes(c)).join(', ')}: it holds a customer's data`);
      }
    });

    it('every column that names a person is declared by its table, whose person rule then erases or clears it, or says why not', async () => {
      for (const t of await schema()) {
        const entry = BY_NAME.get(t.name);
        if (!entry) continue;
        const rule = entry.person;
        assert.ok(rule.delete || rule.anonymize?.length || rule.none, `${t.name}: no person rule`);
        if (entry.personal.length && !rule.delete && !rule.anonymize?.length) {
          // Only the customer record may point to a person and keep it: its primary administrator goes with the customer.
          assert.equal(t.name, 'customers', `${t.name} declares personal columns but a person's erasure leaves them`);
        }
        for (const key of entry.key ?? []) assert.ok(t.columns.includes(key), `${t.name}: key column ${key} does not exist`);
      }
      assert.deepEqual(undeclaredPersonColumns(await schema()), [], 'columns naming a person that the erasure entry of their table does not declare');
    });

    it('catches what a later migration adds without telling the erasure: a table of customer data, a column naming a person', async () => {
      await sql`create table homework_notes (id text primary key, customer_id text, user_id text, note text)`.execute(fixture.db.kysely);
      await sql`alter table collections add column curator_user_id text`.execute(fixture.db.kysely);
      assert.deepEqual(unknownTables(await schema()), ['homework_notes']);
      assert.deepEqual(undeclaredPersonColumns(await schema()), ['collections.curator_user_id']);
    });
  });
}

type SchemaTable = { name: string; columns: string[] };

const LISTED = [...ERASURE_TABLES.map((t) => t.table), ...Object.keys(PLATFORM_TABLES), ...Object.keys(KEPT_TABLES)];
const BY_NAME = new Map(ERASURE_TABLES.map((t) => [t.table, t]));

// Tables of the schema that none of the lists names.
function unknownTables(schema: SchemaTable[]): string[] {
  return schema.map((t) => t.name).filter((t) => !LISTED.includes(t));
}

// `table.column` of every column that names a person and that its table's erasure entry does not declare.
function undeclaredPersonColumns(schema: SchemaTable[]): string[] {
  return schema.flatMap((t) => {
    const entry = BY_NAME.get(t.name);
    if (!entry) return [];
    return t.columns.filter((c) => PERSON_COLUMN.test(c) && !NOT_PEOPLE[`${t.name}.${c}`] && !entry.personal.includes(c)).map((c) => `${t.name}.${c}`);
  });
}
