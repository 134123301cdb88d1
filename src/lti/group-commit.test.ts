import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../db/connection.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { commitThroughRefusals, GroupCommit } from './group-commit.js';

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

  class Refusal extends Error {}
  const isRefusal = (err: unknown) => err instanceof Refusal;

  it('commitThroughRefusals: a refusal commits its writes and reaches its caller, without failing the rest of its batch', async () => {
    const group = new GroupCommit(db.kysely, { windowMs: 1000, maxMembers: 10 });
    const refused = commitThroughRefusals(
      db.kysely,
      group,
      async (trx) => {
        await sql`insert into t (id) values ('r-used')`.execute(trx);
        throw new Refusal('refused');
      },
      isRefusal,
    );
    const ok = commitThroughRefusals(db.kysely, group, async (trx) => (await sql`insert into t (id) values ('r-ok')`.execute(trx), 'ok'), isRefusal);
    await assert.rejects(refused, Refusal);
    assert.equal(await ok, 'ok');
    assert.equal((observer.prepare(`select count(*) as n from t where id in ('r-used', 'r-ok')`).get() as { n: number }).n, 2);
  });

  it('commitThroughRefusals without a group (PostgreSQL): its own transaction, committed on a refusal, rolled back on any other error', async () => {
    await assert.rejects(
      commitThroughRefusals(db.kysely, null, async (trx) => (await sql`insert into t (id) values ('p-used')`.execute(trx), Promise.reject(new Refusal('no'))), isRefusal),
      Refusal,
    );
    await assert.rejects(
      commitThroughRefusals(db.kysely, null, async (trx) => (await sql`insert into t (id) values ('p-lost')`.execute(trx), Promise.reject(new Error('boom'))), isRefusal),
      /boom/,
    );
    assert.deepEqual(
      (observer.prepare(`select id from t where id like 'p-%' order by id`).all() as { id: string }[]).map((r) => r.id),
      ['p-used'],
    );
  });
});
