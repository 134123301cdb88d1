import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { openDatabase, type Db } from './connection.js';

// While another connection (the roster thread) holds the write lock, this process must keep
// answering: its reads go on, and its writes wait on a timer, then succeed once the lock is free.
describe('SQLite with patient locks', () => {
  let database: TestDatabase;
  let db: Db;
  let other: SQLite.Database;

  before(async () => {
    database = await createTestDatabase('sqlite');
    db = openDatabase(database.url, { patientLocks: true });
    await sql`create table notes (id integer primary key, body text not null)`.execute(db.kysely);
    other = new SQLite(database.url.replace(/^sqlite:/, ''));
  });
  after(async () => {
    other.close();
    await db.close();
    await database.drop();
  });

  /** Holds the write lock from the other connection for `ms`, released by a timer of this event loop. */
  function holdWriteLock(ms: number): Promise<void> {
    other.exec('begin immediate');
    other.prepare('insert into notes (body) values (?)').run('from the other connection');
    return new Promise((resolve) =>
      setTimeout(() => {
        other.exec('commit');
        resolve();
      }, ms),
    );
  }

  /** The longest the event loop went without running a 10 ms timer while `work` ran. */
  async function longestStall(work: Promise<unknown>): Promise<number> {
    let last = performance.now();
    let longest = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 10);
    try {
      await work;
    } finally {
      clearInterval(timer);
    }
    return longest;
  }

  it('a write waits for the lock without stopping the event loop, and reads answer meanwhile', async () => {
    const released = holdWriteLock(400);
    let readAt = 0;
    const write = db.kysely
      .insertInto('notes' as never)
      .values({ body: 'from this process' } as never)
      .execute();
    const read = sql<{ n: number }>`select count(*) as n from notes`.execute(db.kysely).then((r) => ((readAt = performance.now()), r.rows[0]!.n));
    const releasedAt = released.then(() => performance.now());
    const stall = await longestStall(Promise.all([write, read, released]));
    assert.ok(stall < 150, `the event loop stalled for ${Math.round(stall)} ms`);
    assert.ok(readAt < (await releasedAt), 'the read answered while the lock was held');
    const rows = await sql<{ body: string }>`select body from notes order by id`.execute(db.kysely);
    assert.deepEqual(
      rows.rows.map((r) => r.body),
      ['from the other connection', 'from this process'],
    );
  });

  it('a transaction takes the write lock first (waiting the same way), so it never fails half-way', async () => {
    const released = holdWriteLock(300);
    const tx = db.kysely.transaction().execute(async (trx) => {
      const before = await sql<{ n: number }>`select count(*) as n from notes`.execute(trx);
      await sql`insert into notes (body) values (${`after ${before.rows[0]!.n}`})`.execute(trx);
    });
    const stall = await longestStall(Promise.all([tx, released]));
    assert.ok(stall < 150, `the event loop stalled for ${Math.round(stall)} ms`);
    const last = await sql<{ body: string }>`select body from notes order by id desc limit 1`.execute(db.kysely);
    // The count was read under the lock, after the other connection's commit.
    assert.equal(last.rows[0]!.body, 'after 3');
  });
});
