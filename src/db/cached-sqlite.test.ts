import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Generated, type Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { openDatabase, type Db } from './connection.js';

interface Notes {
  notes: { id: Generated<number>; body: string };
}

interface Library {
  authors: { id: string; name: string };
  books: { id: string; author_id: string; title: string };
}

/**
 * How many times better-sqlite3 builds a row factory while `work` runs: once per statement prepared
 * or planned again by SQLite (it compiles one with `Function` at the first row after each plan).
 */
async function plansDuring(work: () => Promise<void>): Promise<number> {
  const original = globalThis.Function;
  let plans = 0;
  globalThis.Function = new Proxy(original, {
    apply(target, self, args: unknown[]) {
      if (String(args.at(-1)).startsWith('return (')) plans++;
      return Reflect.apply(target, self, args) as unknown;
    },
  });
  try {
    await work();
  } finally {
    globalThis.Function = original;
  }
  return plans;
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
      assert.equal(times('insert into "notes" ("body") values (+?)'), 1);
      assert.equal(times('select "body" from "notes" where "id" = +?'), 1);
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

    it('plans a statement once: joins by key, LIKE and correlated subqueries are not planned again at each run', async () => {
      const library = () => db.kysely as unknown as Kysely<Library>;
      await sql`create table authors (id text primary key, name text not null)`.execute(db.kysely);
      await sql`create table books (id text primary key, author_id text not null references authors (id), title text not null)`.execute(db.kysely);
      await library()
        .insertInto('authors')
        .values(['a', 'b', 'c'].map((id) => ({ id, name: `Author ${id}` })))
        .execute();
      await library()
        .insertInto('books')
        .values(['a', 'b', 'c'].map((author, i) => ({ id: `book-${i}`, author_id: author, title: `Title ${i}` })))
        .execute();
      const queries = [
        (i: number) =>
          library()
            .selectFrom('books')
            .innerJoin('authors', 'authors.id', 'books.author_id')
            .select(['authors.name', 'books.title'])
            .where('books.id', '=', `book-${i % 3}`),
        (i: number) =>
          library()
            .selectFrom('books')
            .select('id')
            .where('title', 'like', `Title ${i % 3}%`),
        (i: number) =>
          library()
            .selectFrom('authors')
            .select('name')
            .where((eb) =>
              eb.exists(
                eb
                  .selectFrom('books')
                  .select('books.id')
                  .whereRef('books.author_id', '=', 'authors.id')
                  .where('books.title', '=', `Title ${i % 3}`),
              ),
            ),
      ];
      const expected = ['Author b', 'book-1', 'Author b'];
      for (const query of queries) await query(0).execute(); // prepared (and planned) once
      const plans = await plansDuring(async () => {
        for (let i = 1; i <= 30; i++) {
          const answers = await Promise.all(queries.map(async (query) => Object.values((await query(i).execute())[0]!)[0]));
          if (i === 1) assert.deepEqual(answers, expected);
        }
      });
      assert.equal(plans, 0, 'no statement was planned again');
      // The same statements with bare parameters, as Kysely writes them: each run plans again.
      const bare = queries.map((query) => db.sqlite!.prepare(query(0).compile().sql.replaceAll('+?', '?')));
      const replans = await plansDuring(async () => {
        for (let i = 1; i <= 30; i++) for (const [n, statement] of bare.entries()) statement.all(queries[n]!(i).compile().parameters);
      });
      assert.ok(replans >= 3 * 29, `the probe sees SQLite plan bare statements again (${replans} plans)`);
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
