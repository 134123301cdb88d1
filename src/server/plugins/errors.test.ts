import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../db/connection.js';
import { describeEachDialect } from '../../../test/helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.js';
import { registerErrorHandling } from './errors.js';

/*
 * What a user sees when something below the route fails: the stable code and the catalogue's
 * message, never the database's words (table, constraint or value) nor another library's.
 */

describeEachDialect('Error rendering', (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let app: FastifyInstance;
  const logged: unknown[] = [];

  before(async () => {
    database = await createTestDatabase(dialect);
    db = openDatabase(database.url);
    await sql`create table secret_pupils (login varchar(100) primary key)`.execute(db.kysely);
    await sql`insert into secret_pupils (login) values (${'ada@school.example'})`.execute(db.kysely);
    app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => logged.push(JSON.parse(line)) } } });
    registerErrorHandling(app);
    app.get('/unique', async () => sql`insert into secret_pupils (login) values (${'ada@school.example'})`.execute(db.kysely));
    app.get('/nul', async () => sql`insert into secret_pupils (login) values (${'nul\u0000@school.example'})`.execute(db.kysely).then(() => sql`select 1 from nowhere_table`.execute(db.kysely)));
    app.get('/library-4xx', async () => {
      throw Object.assign(new Error('ENOENT: /srv/lectern/data/secret_pupils.csv'), { statusCode: 404 });
    });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.close();
    await database?.drop();
  });

  for (const url of ['/unique', '/nul']) {
    it(`a database error (${url.slice(1)}) answers 500 INTERNAL with the generic message and is logged, not echoed`, async () => {
      const before = logged.length;
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 500);
      assert.deepEqual(res.json(), { error: { code: 'INTERNAL', message: 'Something went wrong on our side. The error has been logged.' } });
      assert.doesNotMatch(res.body, /secret_pupils|nowhere_table|ada@school|duplicate|unique|constraint|0x00/i);
      assert.equal(logged.length, before + 1, 'the error is logged for the operator');
    });
  }

  it("another library's 4xx answers BAD_REQUEST without its message", async () => {
    const res = await app.inject({ method: 'GET', url: '/library-4xx' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'BAD_REQUEST');
    assert.doesNotMatch(res.body, /ENOENT|secret_pupils|\/srv/);
  });
});
