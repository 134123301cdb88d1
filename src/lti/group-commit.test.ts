import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../db/connection.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { GroupCommit } from './group-commit.js';

describe('group commit (SQLite)', () => {
  let database: TestDatabase;
  let db: Db;
  let observer: SQLite.Database;
  const count = () => (observer.prepare('select count(*) as n from t').get() as { n: number }).n;

  before(async () => {
    database = await createTestDatabase('sqlite');
    db = openDatabase(database.url);
    await sql`create table t (id text primary key)`.execute(db.kysely);
    // A second connection sees only what has been committed.
    observer = new SQLite(database.url.replace(/^sqlite:/, ''), { readonly: true });
  });
  after(async () => {
    observer.close();
    await db.close();
    await database.drop();
  });

  it('lets work that arrives together share one transaction, answering each only after the commit', async () => {
    const group = new GroupCommit(db.kysely, { windowMs: 1000, maxMembers: 10 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seenDuring: number[] = [];
    const members = ['a', 'b', 'c'].map((id) =>
      group.run(async (trx) => {
        await sql`insert into t (id) values (${id})`.execute(trx);
        await gate;
        return id;
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    seenDuring.push(count());
    release();
    assert.deepEqual(await Promise.all(members), ['a', 'b', 'c']);
    assert.deepEqual(seenDuring, [0], 'nothing is visible before the batch commits');
    assert.equal(count(), 3);
  });

  it('rolls back the whole batch when one member throws, and every member hears of it', async () => {
    const group = new GroupCommit(db.kysely, { windowMs: 1000, maxMembers: 10 });
    const before = count();
    const ok = group.run(async (trx) => {
      await sql`insert into t (id) values ('kept?')`.execute(trx);
      await new Promise((r) => setTimeout(r, 20));
      return 'ok';
    });
    const bad = group.run(async () => {
      throw new Error('boom');
    });
    await assert.rejects(bad, /boom/);
    await assert.rejects(ok, /boom/);
    assert.equal(count(), before);
  });

  it('starts a new batch once the batch is full: it waits for the first to commit (one writer)', async () => {
    const group = new GroupCommit(db.kysely, { windowMs: 1000, maxMembers: 2 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let thirdStarted = false;
    const first = ['y1', 'y2'].map((id) => group.run(async (trx) => (await sql`insert into t (id) values (${id})`.execute(trx), await gate, id)));
    const third = group.run(async (trx) => ((thirdStarted = true), await sql`insert into t (id) values ('y3')`.execute(trx), 'y3'));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(thirdStarted, false, 'the third did not join the full batch');
    release();
    assert.deepEqual(await Promise.all([...first, third]), ['y1', 'y2', 'y3']);
    assert.equal(thirdStarted, true);
  });
});
