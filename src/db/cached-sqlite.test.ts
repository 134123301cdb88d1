import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Generated, type Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { openDatabase, type Db } from './connection.js';

interface Notes {
  notes: { id: Generated<number>; body: string };
}

// Kysely statements on SQLite are prepared once per SQL text and reused, on the plain connection
// (CLI, import thread) and the patient one (`lectern serve`) alike.
for (const patientLocks of [false, true]) {
  describe(`SQLite prepared statements (${patientLocks ? 'patient' : 'plain'} connection)`, () => {
    let database: TestDatabase;
    let db: Db;
    let prepared: string[];

    before(async () => {
      database = await createTestDatabase('sqlite');
      db = openDatabase(database.url, { patientLocks });
      // Counts what reaches better-sqlite3's prepare (the driver looks it up on every call).
      const sqlite = db.sqlite!;
      const prepare = sqlite.prepare.bind(sqlite);
      prepared = [];
      sqlite.prepare = ((text: string) => (prepared.push(text), prepare(text))) as typeof sqlite.prepare;
      await sql`create table notes (id integer primary key, body text not null)`.execute(db.kysely);
    });
    after(async () => {
      await db.close();
      await database.drop();
    });

    const notes = () => db.kysely as unknown as Kysely<Notes>;
    const times = (text: string) => prepared.filter((p) => p === text).length;

    it('prepares a SQL text once and reuses its statement, with the same results as Kysely', async () => {
      const inserted = [];
      for (const body of ['one', 'two', 'three']) inserted.push(await notes().insertInto('notes').values({ body }).executeTakeFirstOrThrow());
      assert.deepEqual(
        inserted.map((r) => [r.insertId, r.numInsertedOrUpdatedRows]),
        [
          [1n, 1n],
          [2n, 1n],
          [3n, 1n],
        ],
      );
      const bodies = [];
      for (const id of [1, 3, 2]) bodies.push((await notes().selectFrom('notes').select('body').where('id', '=', id).executeTakeFirst())?.body);
      assert.deepEqual(bodies, ['one', 'three', 'two']);
      const updated = await notes().updateTable('notes').set({ body: 'changed' }).where('id', '>', 1).executeTakeFirst();
      assert.equal(updated.numUpdatedRows, 2n);
      assert.equal(times('insert into "notes" ("body") values (?)'), 1);
      assert.equal(times('select "body" from "notes" where "id" = ?'), 1);
    });

    it('a streamed query prepares its own statement, not the cached one of its text', async () => {
      const query = () => notes().selectFrom('notes').select('id').orderBy('id');
      const text = query().compile().sql;
      assert.deepEqual(
        (await query().execute()).map((r) => r.id),
        [1, 2, 3],
      );
      const streamed: number[] = [];
      for await (const row of query().stream()) streamed.push(row.id);
      assert.deepEqual(streamed, [1, 2, 3]);
      assert.equal(times(text), 2, 'the stream prepared its own');
      assert.deepEqual(
        (await query().execute()).map((r) => r.id),
        [1, 2, 3],
      );
      assert.equal(times(text), 2, 'the cached statement is reused after the stream');
    });

    it('keeps at most 500 statements: the least recently used is prepared again', async () => {
      const text = (i: number) => `select ${i} as n`;
      for (let i = 0; i <= 500; i++) await sql.raw(text(i)).execute(db.kysely);
      await sql.raw(text(500)).execute(db.kysely);
      assert.equal(times(text(500)), 1, 'a recent statement is reused');
      const again = await sql.raw<{ n: number }>(text(0)).execute(db.kysely);
      assert.equal(again.rows[0]!.n, 0);
      assert.equal(times(text(0)), 2, 'the oldest was dropped and is prepared again');
    });

    it('raw better-sqlite3 calls keep the usual busy_timeout, after statements and inside a transaction', async () => {
      const busyTimeout = () => db.sqlite!.pragma('busy_timeout', { simple: true });
      await notes().selectFrom('notes').select('id').execute();
      assert.equal(busyTimeout(), 5000);
      await db.kysely.transaction().execute(async (trx) => {
        await (trx as unknown as Kysely<Notes>).insertInto('notes').values({ body: 'in a transaction' }).execute();
        assert.equal(busyTimeout(), 5000);
      });
      assert.equal(busyTimeout(), 5000);
      const count = await notes()
        .selectFrom('notes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(count.n, 4);
    });
  });
}
