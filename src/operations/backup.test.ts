import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { secretContext } from '../customers/customer-service.js';
import { backup } from './backup.js';
import { loadSecretKey, SecretBox } from '../security/secret-box.js';
import { describeEachDialect } from '../../test/helpers/app.js';
import { district11, HEADERS, table, writeBundle } from '../../test/helpers/bundles.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { customerBody } from '../../test/helpers/factories.js';

/*
 * `lectern backup` and `lectern restore` as an operator runs them, while another process imports a
 * roster into the same installation: every backup restores to a whole committed state (the roster
 * applied entirely or not at all), with its files, and the key that opens its secrets.
 */

const REPO = path.resolve(import.meta.dirname, '../..');
const STUDENTS = 12_000;

interface Installation {
  dataDir: string;
  url: string;
}

function env(install: Installation, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LECTERN_DATA_DIR: install.dataDir, DATABASE_URL: install.url, LECTERN_PUBLIC_URL: 'http://lectern.test', ...extra };
}

function lectern(install: Installation, args: string[]) {
  const out = spawnSync(process.execPath, ['bin/lectern.js', ...args], { cwd: REPO, env: env(install), encoding: 'utf8', timeout: 120_000 });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr, show: `exit ${out.status}\n${out.stdout}\n${out.stderr}` };
}

async function bigRoster(): Promise<string> {
  const students = Array.from({ length: STUDENTS }, (_, i) => ({
    sourcedId: `s-${i}`,
    enabledUser: 'true',
    orgSourcedIds: 'org-s',
    role: 'student',
    username: `student${i}`,
    givenName: `Given${i}`,
    familyName: `Family${i}`,
    grades: '09',
  }));
  return writeBundle(district11({ 'users.csv': table(HEADERS.users11, students), 'enrollments.csv': null }));
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describeEachDialect('lectern backup and restore', (dialect) => {
  let database: TestDatabase;
  let work: string;
  const code = `bk${crypto.randomBytes(3).toString('hex')}`;
  let title: string;
  before(async () => {
    database = await createTestDatabase(dialect);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-backup-'));
    const file = path.join(work, 'customer.json');
    fs.writeFileSync(file, JSON.stringify(customerBody({ profile: { code } })));
    const created = lectern(database, ['customer', 'create', '--file', file]);
    assert.equal(created.code, 0, created.show);
    // A title's file, and an upload in progress (a dot file), beside the database.
    title = path.join(database.dataDir, 'content', 'some-customer', 'title.epub');
    fs.mkdirSync(path.dirname(title), { recursive: true });
    fs.writeFileSync(title, crypto.randomBytes(300_000));
    fs.writeFileSync(path.join(path.dirname(title), '.upload-unfinished'), 'half a file');
  });
  after(async () => {
    await database.drop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Restores `backup` into a new installation (SQLite: its own file; PostgreSQL: the same database, files only). */
  const targetFor = (name: string): Installation => {
    const dataDir = path.join(work, name);
    return { dataDir, url: dialect === 'sqlite' ? `sqlite:${path.join(dataDir, 'lectern.db')}` : database.url };
  };
  const restoreInto = (backup: string, name: string) => {
    const target = targetFor(name);
    return { target, run: lectern(target, ['restore', backup, '--json']) };
  };

  const usersIn = async (install: Installation): Promise<number> => {
    if (dialect === 'sqlite') {
      const db = new Database(install.url.replace(/^sqlite:/, ''), { readonly: true });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        return (db.prepare('select count(*) as n from users u join customers c on c.id = u.customer_id where c.code = ?').get(code) as { n: number }).n;
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: install.url });
    await client.connect();
    try {
      return Number((await client.query('select count(*) as n from users u join customers c on c.id = u.customer_id where c.code = $1', [code])).rows[0].n);
    } finally {
      await client.end();
    }
  };

  it('backs up while a roster import applies; each backup restores whole: none of the roster or all of it, its files, its key', async () => {
    const bundle = await bigRoster();
    const before = await usersIn(database);
    const importing = spawn(process.execPath, ['bin/lectern.js', 'roster', 'import', '--customer', code, bundle, '--json'], { cwd: REPO, env: env(database), stdio: ['ignore', 'pipe', 'pipe'] });
    let importOut = '';
    importing.stdout.on('data', (d: Buffer) => (importOut += d.toString()));
    importing.stderr.on('data', (d: Buffer) => (importOut += d.toString()));
    const finished = new Promise<number | null>((resolve) => importing.on('exit', resolve));
    const backups: { dir: string; duringImport: boolean }[] = [];
    // Backups one after another while the import runs, then one after it.
    for (let i = 0; importing.exitCode === null && i < 20; i++) {
      const dir = path.join(work, `during-${i}`);
      const duringImport = importing.exitCode === null;
      const made = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, ['bin/lectern.js', 'backup', dir, '--json'], { cwd: REPO, env: env(database) });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        p.on('exit', (c) => resolve({ code: c, out }));
      });
      assert.equal(made.code, 0, made.out);
      backups.push({ dir, duringImport });
    }
    assert.equal(await finished, 0, importOut);
    const last = lectern(database, ['backup', path.join(work, 'after'), '--json']);
    assert.equal(last.code, 0, last.show);
    backups.push({ dir: path.join(work, 'after'), duringImport: false });
    assert.ok(
      backups.some((b) => b.duringImport),
      'at least one backup ran while the import was applying',
    );
    const total = await usersIn(database);
    assert.ok(total >= STUDENTS, `the import applied (${total} users)`);

    for (const [i, b] of backups.entries()) {
      const manifest = JSON.parse(fs.readFileSync(path.join(b.dir, 'manifest.json'), 'utf8')) as { database: string; files: { path: string }[] };
      assert.equal(manifest.database, dialect);
      assert.ok(!manifest.files.some((f) => f.path.includes('.upload-')), 'an unfinished upload is not data');
      assert.ok(!manifest.files.some((f) => f.path.endsWith('secret.key')), 'the key is never inside the backup');
      assert.equal(fs.statSync(`${b.dir}.key`).mode & 0o777, 0o600, 'the key file is private');
      if (dialect === 'postgres') {
        if (i > 0) continue;
        // PostgreSQL's part is pg_dump's: the files and the key restore into an empty folder.
        assert.match(lectern(database, ['backup', path.join(work, 'pg-guidance')]).stdout, /pg_dump --format=custom/);
      }
      const { target, run } = restoreInto(b.dir, `restored-${i}`);
      assert.equal(run.code, 0, run.show);
      assert.equal(sha(path.join(target.dataDir, 'content', 'some-customer', 'title.epub')), sha(title), 'the title came back byte for byte');
      assert.equal(fs.existsSync(path.join(target.dataDir, 'content', 'some-customer', '.upload-unfinished')), false);
      if (dialect === 'sqlite') {
        const users = await usersIn(target);
        assert.ok(users === before || users === total, `backup ${i}: ${users} users, neither none of the roster (${before}) nor all of it (${total})`);
        if (!b.duringImport) assert.equal(users, total, 'the backup after the import holds all of it');
      }
      // The restored key opens the customer's sealed LTI secret.
      const key = loadSecretKey(undefined, target.dataDir);
      const sealed = await sealedSecretOf(target);
      assert.doesNotThrow(() => new SecretBox(key).open(sealed.enc, secretContext(sealed.id, 'lti_shared_secret')));
      // The restored installation starts and answers.
      const listed = lectern(target, ['customer', 'list', '--json']);
      assert.equal(listed.code, 0, listed.show);
      assert.ok((JSON.parse(listed.stdout) as { profile: { code: string } }[]).some((c) => c.profile.code === code));
    }
  });

  it('refuses what would lose or mix data, and leaves nothing half-written', async () => {
    const dir = path.join(work, 'refusals');
    assert.equal(lectern(database, ['backup', dir]).code, 0);
    const again = lectern(database, ['backup', dir]);
    assert.equal(again.code, 1, again.show);
    assert.match(again.stderr, /already exists/);

    const occupied = path.join(work, 'occupied');
    fs.mkdirSync(occupied);
    fs.writeFileSync(path.join(occupied, 'something.txt'), 'mine');
    const intoFull = lectern({ dataDir: occupied, url: dialect === 'sqlite' ? `sqlite:${path.join(occupied, 'lectern.db')}` : database.url }, ['restore', dir]);
    assert.equal(intoFull.code, 1, intoFull.show);
    assert.match(intoFull.stderr, /not empty/);
    assert.deepEqual(fs.readdirSync(occupied), ['something.txt']);

    const otherKey = path.join(work, 'other.key');
    fs.writeFileSync(otherKey, crypto.randomBytes(32).toString('base64'));
    const wrongKey = targetFor('wrong-key');
    const refused = lectern(wrongKey, ['restore', dir, '--key', otherKey]);
    assert.equal(refused.code, 1, refused.show);
    assert.match(refused.stderr, /not the key of this backup/);
    assert.equal(fs.existsSync(wrongKey.dataDir), false, 'nothing written');

    // One flipped byte in a copied file: refused, and the data folder is not created.
    const damaged = path.join(work, 'damaged');
    fs.cpSync(dir, damaged, { recursive: true });
    fs.copyFileSync(`${dir}.key`, `${damaged}.key`);
    const copy = path.join(damaged, 'files', 'content', 'some-customer', 'title.epub');
    const bytes = fs.readFileSync(copy);
    bytes[1000] = bytes[1000]! ^ 0xff;
    fs.writeFileSync(copy, bytes);
    const broken = restoreInto(damaged, 'from-damaged');
    assert.equal(broken.run.code, 1, broken.run.show);
    assert.match(broken.run.show, /damaged/);
    assert.equal(fs.existsSync(broken.target.dataDir), false, 'nothing half-restored');
    assert.deepEqual(
      fs.readdirSync(work).filter((n) => n.includes('.restoring-') || n.includes('.partial-')),
      [],
      'no temporary folder left behind',
    );

    const notABackup = restoreInto(work, 'from-nothing');
    assert.equal(notABackup.run.code, 1);
    assert.match(notABackup.run.show, /not a Lectern backup/);
  });

  async function sealedSecretOf(install: Installation): Promise<{ id: string; enc: string }> {
    if (dialect === 'sqlite') {
      const db = new Database(install.url.replace(/^sqlite:/, ''), { readonly: true });
      try {
        return db.prepare('select id, lti_shared_secret_enc as enc from customers where code = ?').get(code) as { id: string; enc: string };
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: install.url });
    await client.connect();
    try {
      return (await client.query('select id, lti_shared_secret_enc as enc from customers where code = $1', [code])).rows[0] as { id: string; enc: string };
    } finally {
      await client.end();
    }
  }
});

it('leaves out a data file deleted while it copies (a run that ended let go of its bundle)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-backup-vanish-'));
  try {
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(path.join(dataDir, 'bundles'), { recursive: true });
    const dbFile = path.join(dataDir, 'lectern.db');
    new Database(dbFile).close();
    for (const name of ['a', 'b', 'c']) fs.writeFileSync(path.join(dataDir, 'bundles', `${name}.sealed`), name.repeat(100_000));
    const out = path.join(dir, 'backup');
    const running = backup({ dataDir, databaseUrl: `sqlite:${dbFile}`, key: crypto.randomBytes(32) }, out);
    // backup() lists the files before its first await: this one goes after it was listed, before it is copied.
    fs.rmSync(path.join(dataDir, 'bundles', 'c.sealed'));
    const manifest = await running;
    assert.deepEqual(
      manifest.files.map((f) => f.path),
      ['database.sqlite', 'bundles/a.sealed', 'bundles/b.sealed'],
    );
    assert.deepEqual(fs.readdirSync(path.join(out, 'files', 'bundles')).sort(), ['a.sealed', 'b.sealed']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
