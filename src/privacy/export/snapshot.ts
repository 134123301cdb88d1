import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';

// The SQLite driver is loaded only where a snapshot needs a connection of its own (as connection.ts does).
const require = createRequire(import.meta.url);

/**
 * Runs `read` on one consistent snapshot of the database, so an export taken while a roster run
 * applies never holds half of it (an enrollment whose person the users file missed).
 * PostgreSQL: a REPEATABLE READ, READ ONLY transaction on one pooled connection. A SQLite file: a
 * read transaction on a connection of its own, opened read-only, which in WAL mode sees the
 * database as of its first read while the app's one connection goes on reading and writing (the
 * app's connection would be held for the whole export otherwise). An in-memory SQLite database has
 * no second connection: the read transaction is the app's own.
 */
export async function withReadSnapshot<T>(db: Db, read: (snapshot: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.dialect === 'postgres') return db.kysely.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
  const main = db.sqlite;
  if (!main || main.memory) return db.kysely.transaction().execute(read);
  const sqlite = new (require('better-sqlite3') as typeof SQLite)(main.name, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  // Sorts of big results spill to a file, as on the app's connection.
  sqlite.pragma('temp_store = file');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    return await kysely.transaction().execute(read);
  } finally {
    await kysely.destroy();
  }
}
