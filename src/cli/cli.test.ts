import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { openDatabase } from '../db/connection.js';
import { describeEachDialect } from '../../test/helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { customerBody } from '../../test/helpers/factories.js';

/*
 * The `lectern` command as an operator runs it: a real process, real exit codes, JSON on stdout,
 * messages on stderr.
 */

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/lectern.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a fresh shell would give `lectern`: no inherited Lectern settings. */
function cleanEnv(database: TestDatabase): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LECTERN_') && k !== 'DATABASE_URL') env[k] = v;
  return { ...env, LECTERN_DATA_DIR: database.dataDir, DATABASE_URL: database.url, LECTERN_PUBLIC_URL: 'http://lectern.test' };
}

function lectern(database: TestDatabase, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: cleanEnv(database), timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the commands at most two at a time (CI machines are small), keeping their order in the result. */
async function runAll(database: TestDatabase, commands: string[][]): Promise<Run[]> {
  const results: Run[] = new Array<Run>(commands.length);
  let next = 0;
  const worker = async () => {
    while (next < commands.length) {
      const i = next++;
      results[i] = await lectern(database, commands[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

function show(r: Run): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

describeEachDialect('lectern CLI', (dialect) => {
  let database: TestDatabase;
  const file = (name: string, content: unknown) => {
    const p = path.join(database.dataDir, name);
    fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };
  const counts = async () => {
    const db = openDatabase(database.url);
    try {
      const n = async (table: 'customers' | 'users') =>
        Number(
          (
            await db.kysely
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return { customers: await n('customers'), users: await n('users') };
    } finally {
      await db.close();
    }
  };

  before(async () => {
    database = await createTestDatabase(dialect);
  });
  after(() => database.drop());

  if (dialect === 'sqlite') {
    it('migrate brings a fresh database up to date (exit 0, message on stderr)', async () => {
      const r = await lectern(database, ['migrate']);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^Database sqlite:.*lectern\.db is up to date\.$/m);
    });

    it('admin create, customer create and errors: exit codes and messages', async () => {
      const good = customerBody();
      const bad = customerBody({ administrator: { email: 'not-an-email' }, rostering: { sftp: { port: 70000 } } });
      const before = await counts();
      const [adminOk, adminBad, adminMissing, createOk, createBad, missingFile, notJson, unknown] = await runAll(database, [
        ['admin', 'create', '--email', 'Ops@Lectern.Test', '--password', 'Operator-pass-1', '--name', 'Op Erator', '--json'],
        ['admin', 'create', '--email', 'nope', '--password', 'short'],
        ['admin', 'create', '--email', 'ops2@lectern.test'],
        ['customer', 'create', '--file', file('good.json', good), '--json'],
        ['customer', 'create', '--file', file('bad.json', bad), '--json'],
        ['customer', 'create', '--file', path.join(database.dataDir, 'nope.json')],
        ['customer', 'create', '--file', file('broken.json', '{"profile": ')],
        ['frobnicate', '--json'],
      ]);

      assert.equal(adminOk!.code, 0, show(adminOk!));
      const created = JSON.parse(adminOk!.stdout) as { id: string; email: string; role: string };
      assert.deepEqual({ ...created, id: undefined }, { id: undefined, email: 'ops@lectern.test', role: 'enterprise_admin' });

      assert.equal(adminBad!.code, 1, show(adminBad!));
      assert.equal(adminBad!.stdout, '');
      assert.match(adminBad!.stderr, /\[VALIDATION_FAILED\]/);
      assert.match(adminBad!.stderr, /^ {2}email: Enter a valid email address\.$/m);
      assert.match(adminBad!.stderr, /^ {2}password: Use at least 10 characters\.$/m);

      assert.equal(adminMissing!.code, 2, show(adminMissing!));
      assert.match(adminMissing!.stderr, /admin create needs --email and --password/);

      assert.equal(createOk!.code, 0, show(createOk!));
      const customer = JSON.parse(createOk!.stdout) as { id: string; profile: { code: string }; lti: { consumerKey: string; sharedSecret: string; launchUrl: string } };
      assert.match(customer.id, /^[0-9a-f-]{36}$/);
      assert.equal(customer.profile.code, good.profile.code);
      assert.match(customer.lti.sharedSecret, /^[A-Za-z0-9_-]{32}$/);
      assert.equal(customer.lti.launchUrl, 'http://lectern.test/lti/launch');
      assert.ok(!createOk!.stdout.includes(good.rostering.sftp.password) && !createOk!.stdout.includes(good.administrator.password));

      assert.equal(createBad!.code, 1, show(createBad!));
      const error = JSON.parse(createBad!.stdout) as { error: { code: string; fields: { field: string; message: string }[] } };
      assert.equal(error.error.code, 'VALIDATION_FAILED');
      assert.deepEqual(error.error.fields.map((f) => f.field).sort(), ['administrator.email', 'rostering.sftp.port']);
      assert.ok(error.error.fields.every((f) => f.message.length > 0));

      assert.equal(missingFile!.code, 1, show(missingFile!));
      assert.equal(missingFile!.stdout, '');
      assert.match(missingFile!.stderr, /Cannot read .*nope\.json: no such file\./);

      assert.equal(notJson!.code, 1, show(notJson!));
      assert.match(notJson!.stderr, /broken\.json is not valid JSON/);

      assert.equal(unknown!.code, 2, show(unknown!));
      assert.match(unknown!.stderr, /Unknown command "frobnicate"/);
      assert.match(unknown!.stderr, /lectern help/);

      // Only the good customer (with its admin) and the good enterprise admin were stored.
      assert.deepEqual(await counts(), { customers: before.customers + 1, users: before.users + 2 });
      const db = openDatabase(database.url);
      try {
        const op = await db.kysely
          .selectFrom('users')
          .select(['role', 'given_name', 'family_name', 'password_hash', 'must_change_password'])
          .where('login', '=', 'ops@lectern.test')
          .executeTakeFirstOrThrow();
        assert.deepEqual(
          { ...op, password_hash: op.password_hash?.slice(0, 10) },
          { role: 'enterprise_admin', given_name: 'Op', family_name: 'Erator', password_hash: '$argon2id$', must_change_password: 0 },
        );
      } finally {
        await db.close();
      }
    });
  } else {
    it('customer create --file --json adds the customer; an invalid file stores nothing', async () => {
      const good = customerBody();
      const bad = customerBody({ acceptTerms: false });
      const [createOk, createBad] = await runAll(database, [
        ['customer', 'create', '--file', file('good.json', good), '--json'],
        ['customer', 'create', '--file', file('bad.json', bad), '--json'],
      ]);
      assert.equal(createOk!.code, 0, show(createOk!));
      assert.match((JSON.parse(createOk!.stdout) as { lti: { sharedSecret: string } }).lti.sharedSecret, /^[A-Za-z0-9_-]{32}$/);
      assert.equal(createBad!.code, 1, show(createBad!));
      assert.deepEqual(JSON.parse(createBad!.stdout), {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Some fields are not valid.',
          fields: [{ field: 'acceptTerms', message: 'Accept the Privacy Policy and Terms of Service to add a customer.', code: 'terms_not_accepted' }],
        },
      });
      assert.deepEqual(await counts(), { customers: 1, users: 1 });
    });
  }

  it('customer list --json and users list --customer CODE --json print one JSON document', async () => {
    const db = openDatabase(database.url);
    const c = await db.kysely.selectFrom('customers').select(['id', 'code', 'admin_email', 'admin_user_id']).executeTakeFirstOrThrow();
    await db.close();
    const [list, users, unknown] = await runAll(database, [
      ['customer', 'list', '--json'],
      ['users', 'list', '--customer', c.code, '--json'],
      ...(dialect === 'sqlite' ? [['users', 'list', '--customer', 'no-such-customer']] : []),
    ]);
    assert.equal(list!.code, 0, show(list!));
    const customers = JSON.parse(list!.stdout) as { id: string; profile: { code: string }; lti: Record<string, unknown> }[];
    assert.ok(Array.isArray(customers));
    assert.deepEqual(
      customers.map((x) => x.id),
      [c.id],
    );
    assert.equal(customers[0]!.profile.code, c.code);
    assert.equal('sharedSecret' in customers[0]!.lti, false, 'the list never shows the shared secret');

    assert.equal(users!.code, 0, show(users!));
    const rows = JSON.parse(users!.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows, [
      { id: c.admin_user_id, sourcedId: null, username: '', email: c.admin_email, identifier: '', givenName: 'Ada', familyName: 'Park', role: 'customer_admin', status: 'active' },
    ]);

    if (unknown) {
      assert.equal(unknown.code, 1, show(unknown));
      assert.match(unknown.stderr, /No customer has the id or code "no-such-customer"\. \[NOT_FOUND\]/);
    }
  });
});
