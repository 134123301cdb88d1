import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { AppContext } from '../../src/context.js';
import type { TestApp, TestResponse } from './app.js';

/** The error body every failing route answers with. */
export interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string; code?: string }[] };
}

/**
 * Asserts an error response: exact status and code and, when given, exactly these field paths
 * (in any order) in `error.fields[].field`, each with a non-empty message.
 */
export function assertError(res: TestResponse<unknown>, status: number, code: string, fields?: string[]): ErrorBody['error'] {
  const body = res.body as ErrorBody;
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(body.error?.code, code, JSON.stringify(res.body));
  assert.ok(body.error.message.length > 0, 'the error has a message');
  if (fields) {
    const got = (body.error.fields ?? []).map((f) => f.field).sort();
    assert.deepEqual(got, [...fields].sort(), `field paths of ${JSON.stringify(body.error.fields)}`);
    for (const f of body.error.fields ?? []) assert.ok(f.message.trim().length > 0, `field ${f.field} has a message`);
  }
  return body.error;
}

/** The issue for one field path in a VALIDATION_FAILED response (throws if absent). */
export function fieldIssue(res: TestResponse<unknown>, field: string): { field: string; message: string; code?: string } {
  const issue = (res.body as ErrorBody).error?.fields?.find((f) => f.field === field);
  assert.ok(issue, `no issue for ${field} in ${JSON.stringify(res.body)}`);
  return issue;
}

/** Row counts of the tables a customer write touches: unchanged counts prove nothing was stored. */
export async function storedCounts(ctx: AppContext): Promise<Record<'customers' | 'rostering_configs' | 'users' | 'audit_log' | 'sessions' | 'api_tokens', number>> {
  const k = ctx.db.kysely;
  const count = async (table: 'customers' | 'rostering_configs' | 'users' | 'audit_log' | 'sessions' | 'api_tokens') =>
    Number(
      (
        await k
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    customers: await count('customers'),
    rostering_configs: await count('rostering_configs'),
    users: await count('users'),
    audit_log: await count('audit_log'),
    sessions: await count('sessions'),
    api_tokens: await count('api_tokens'),
  };
}

/** Runs `fn` and asserts that no customer, rostering row, user or audit entry was added or removed. */
export async function assertNothingStored(t: TestApp, fn: () => Promise<void>): Promise<void> {
  const before = await storedCounts(t.ctx);
  await fn();
  const after = await storedCounts(t.ctx);
  assert.deepEqual(
    { customers: after.customers, rostering_configs: after.rostering_configs, users: after.users, audit_log: after.audit_log },
    { customers: before.customers, rostering_configs: before.rostering_configs, users: before.users, audit_log: before.audit_log },
    'a rejected request must store nothing',
  );
}

/** Everything stored about one customer (its rows, its people, their sessions and tokens, its audit trail). */
export async function customerSnapshot(ctx: AppContext, customerId: string): Promise<Record<string, unknown>> {
  const k = ctx.db.kysely;
  const userIds = (await k.selectFrom('users').select('id').where('customer_id', '=', customerId).execute()).map((u) => u.id);
  const forUsers = async (table: 'sessions' | 'api_tokens') => (userIds.length ? await k.selectFrom(table).selectAll().where('user_id', 'in', userIds).orderBy('id').execute() : []);
  return {
    customer: await k.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirst(),
    rostering: await k.selectFrom('rostering_configs').selectAll().where('customer_id', '=', customerId).executeTakeFirst(),
    users: await k.selectFrom('users').selectAll().where('customer_id', '=', customerId).orderBy('id').execute(),
    classes: await k.selectFrom('classes').selectAll().where('customer_id', '=', customerId).orderBy('id').execute(),
    sessions: await forUsers('sessions'),
    tokens: await forUsers('api_tokens'),
    audit: await k.selectFrom('audit_log').selectAll().where('customer_id', '=', customerId).orderBy('id').execute(),
    books: await k.selectFrom('books').selectAll().where('customer_id', '=', customerId).orderBy('id').execute(),
    collections: await k.selectFrom('collections').selectAll().where('customer_id', '=', customerId).orderBy('id').execute(),
    collectionBooks: await k
      .selectFrom('collection_books')
      .innerJoin('collections', 'collections.id', 'collection_books.collection_id')
      .selectAll('collection_books')
      .where('collections.customer_id', '=', customerId)
      .orderBy('collection_books.collection_id')
      .orderBy('collection_books.book_id')
      .execute(),
    assignments: await k.selectFrom('assignments').selectAll().where('customer_id', '=', customerId).orderBy('id').execute(),
  };
}

/** Every row of every table as text (PostgreSQL: `select t::text`; SQLite: each row as JSON). */
export async function allRowsAsText(ctx: AppContext): Promise<string> {
  const k = ctx.db.kysely;
  const out: string[] = [];
  if (ctx.db.dialect === 'postgres') {
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(k);
    assert.ok(tables.rows.length > 0, 'PostgreSQL has tables');
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ t: string }>`select t::text as t from ${sql.table(table_name)} t`.execute(k);
      out.push(`== ${table_name}`, ...rows.rows.map((r) => r.t));
    }
  } else {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(k);
    for (const { name } of tables.rows) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(k);
      out.push(`== ${name}`, ...rows.rows.map((r) => JSON.stringify(r)));
    }
  }
  return out.join('\n');
}
