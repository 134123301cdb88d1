import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { describeEachDialect } from '../../../test/helpers/app.js';
import { district11, writeBundle } from '../../../test/helpers/bundles.js';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.js';
import { customerBody } from '../../../test/helpers/factories.js';

/*
 * `lectern roster import` as an operator runs it, with every module the process resolves recorded:
 * it opens the core context only (database, data key, bundle store, runs), never the web app.
 */

const REPO = path.resolve(import.meta.dirname, '../../..');

// Records every module the process resolves (module.registerHooks) into $LOADED.
const RECORDER = `
import fs from 'node:fs';
import module from 'node:module';
module.registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); fs.appendFileSync(process.env.LOADED, r.url + '\\n'); return r; } });
`;

// What the web app needs and an import does not: the server, schema validation, jobs, SFTP, the other driver, argon2 (no passwords here).
const NOT_FOR_AN_IMPORT = /\/node_modules\/(fastify|@fastify\/[^/]+|typebox|ajv|graphile-worker|ssh2|ssh2-sftp-client|argon2|luxon|saxes)\//;

describeEachDialect('lectern roster import', (dialect) => {
  let database: TestDatabase;
  let recorder: string;
  before(async () => {
    database = await createTestDatabase(dialect);
    recorder = path.join(database.dataDir, 'recorder.mjs');
    fs.writeFileSync(recorder, RECORDER);
  });
  after(() => database.drop());

  const lectern = (args: string[]) => {
    const loaded = path.join(database.dataDir, 'loaded.txt');
    fs.writeFileSync(loaded, '');
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOADED: loaded, LECTERN_DATA_DIR: database.dataDir, DATABASE_URL: database.url };
    const out = spawnSync(process.execPath, ['--import', recorder, 'bin/lectern.js', ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
    const modules = fs.readFileSync(loaded, 'utf8').trim().split('\n');
    return { ...out, modules };
  };

  it('imports a bundle and then recognises it, loading none of the web app', async () => {
    const body = customerBody();
    const customerFile = path.join(database.dataDir, 'customer.json');
    fs.writeFileSync(customerFile, JSON.stringify(body));
    assert.equal(lectern(['customer', 'create', '--file', customerFile]).status, 0);
    const bundle = await writeBundle(district11());

    const first = lectern(['roster', 'import', '--customer', body.profile.code, bundle, '--json']);
    assert.equal(first.status, 0, first.stderr);
    const run = JSON.parse(first.stdout) as { status: string; counts: { users: { created: number } } };
    assert.equal(run.status, 'succeeded');
    assert.ok(run.counts.users.created > 0, 'the users were created');
    assert.deepEqual(
      first.modules.filter((u) => NOT_FOR_AN_IMPORT.test(u)),
      [],
    );
    const other = dialect === 'sqlite' ? '/node_modules/pg/' : '/node_modules/better-sqlite3/';
    assert.ok(!first.modules.some((u) => u.includes(other)), 'only the database driver in use is loaded');

    const again = lectern(['roster', 'import', '--customer', body.profile.code, bundle, '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { stage: string }).stage, 'unchanged', 'the same file is recognised by its SHA-256');
    assert.deepEqual(
      again.modules.filter((u) => NOT_FOR_AN_IMPORT.test(u) || u.includes('/dist/rostering/oneroster/')),
      [],
      'an unchanged file is neither read nor served',
    );
  });
});
