import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loggedError, maskedUrl } from './logging.js';

describe('what the log keeps of an error', () => {
  it("keeps a database error's kind, code and schema names, and none of the values it quotes", () => {
    const pg = Object.assign(new Error('duplicate key value violates unique constraint "users_customer_login"'), {
      code: '23505',
      constraint: 'users_customer_login',
      table: 'users',
      detail: 'Key (customer_id, login)=(c-1, ana.lopez@lincoln) already exists.',
      parameters: ['Ana', 'López', 'ana.lopez@lincoln'],
    });
    const cast = Object.assign(new Error('invalid input syntax for type uuid: "Ana López"'), { code: '22P02', routine: 'string_to_uuid' });
    const sqlite = Object.assign(new Error("no such column: 'ana.lopez@lincoln'"), { code: 'SQLITE_ERROR' });
    const wrapped = new Error('Apply failed (Key (login)=(ana.lopez@lincoln))', { cause: pg });
    for (const err of [pg, cast, sqlite, wrapped]) {
      const text = JSON.stringify(loggedError(err));
      for (const value of ['Ana', 'López', 'ana.lopez@lincoln']) assert.ok(!text.includes(value), `${value} in ${text}`);
      assert.ok(text.includes('"stack"') && text.includes(' at '), 'the stack frames stay');
    }
    assert.deepEqual(
      { code: loggedError(pg).code, constraint: loggedError(pg).constraint, table: loggedError(pg).table, message: loggedError(pg).message },
      { code: '23505', constraint: 'users_customer_login', table: 'users', message: 'duplicate key value violates unique constraint …' },
    );
    assert.equal(loggedError(cast).routine, 'string_to_uuid');
    assert.equal((loggedError(wrapped).cause as { code: string }).code, '23505');
  });

  it('keeps only small numbers of a query string', () => {
    assert.equal(maskedUrl('/api/customers/c1/users?search=Ana%20L%C3%B3pez&page=2'), '/api/customers/c1/users?search=…&page=2');
  });
});
