/*
 * Online backup and restore of one Lectern installation: the database, the data folder's files
 * (titles, covers, sealed roster bundles) and, apart from them, the secret key that opens the
 * sealed secrets and bundles.
 *
 * A backup is a folder: `database.sqlite` (SQLite) or nothing for PostgreSQL (whose own pg_dump is
 * the consistent copy, see `postgresGuidance`), `files/` (the data folder's files), and
 * `manifest.json` listing every file with its size and SHA-256 and the key's fingerprint. The key
 * goes to a separate file, `<OUT>.key`, so that the operator can keep it apart: whoever holds both
 * holds every child's data and every customer's credentials.
 *
 * SQLite is copied with `VACUUM INTO`, one read transaction: a consistent snapshot that writers
 * (an import applying, launches) do not wait for in WAL mode. The online backup API would restart
 * its copy at every write of another process, and during a long import might never finish. Files are
 * copied after the snapshot, so each one a snapshot row names is there unless it was deleted meanwhile
 * (a run that ended let go of its bundle, or the purge): such a file is left out, not an error.
 * Both commands write into a temporary sibling first and rename it into place: a failed backup or
 * restore leaves nothing half-written.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { AppError } from '../errors.js';

/** What `manifest.json` holds. */
export interface BackupManifest {
  format: 'lectern-backup';
  version: 1;
  createdAt: string;
  database: 'sqlite' | 'postgres';
  /** The database copy's file (SQLite), else null: PostgreSQL is backed up with pg_dump. */
  databaseFile: string | null;
  /** First 16 hex digits of HMAC-SHA256(key, "lectern-backup"): tells a restore it has the right key, reveals nothing of it. */
  keyFingerprint: string;
  files: { path: string; bytes: number; sha256: string }[];
}

/** Where a backup reads from and a restore writes to. */
export interface Installation {
  dataDir: string;
  databaseUrl: string;
  key: Buffer;
}

const DATABASE_FILE = 'database.sqlite';
const FILES = 'files';

/** The key's fingerprint recorded in a manifest. */
export function keyFingerprint(key: Buffer): string {
  return crypto.createHmac('sha256', key).update('lectern-backup').digest('hex').slice(0, 16);
}

/** The SQLite file a database URL names, or null for PostgreSQL. */
export function sqliteFileOf(databaseUrl: string): string | null {
  return /^postgres(ql)?:/.test(databaseUrl) ? null : path.resolve(databaseUrl.replace(/^sqlite:/, ''));
}

/** The command that makes PostgreSQL's part of a backup, and the one that restores it. */
export function postgresGuidance(): string[] {
  return [
    'PostgreSQL: back the database up with its own tool, consistent while Lectern runs:',
    '  pg_dump --format=custom --file=lectern.pgdump "$DATABASE_URL"',
    'and restore it into an empty database before `lectern restore`:',
    '  pg_restore --no-owner --dbname="$DATABASE_URL" lectern.pgdump',
  ];
}

/** Backs up an installation into the new folder `out` and its key into `<out>.key`; returns the manifest. */
export async function backup(install: Installation, out: string, now: Date = new Date()): Promise<BackupManifest> {
  const target = path.resolve(out);
  const keyFile = `${target}.key`;
  for (const existing of [target, keyFile]) {
    if (fs.existsSync(existing)) throw new AppError('CONFLICT', `${existing} already exists: a backup never overwrites one. Choose a new name.`);
  }
  const sqliteFile = sqliteFileOf(install.databaseUrl);
  if (sqliteFile && !fs.existsSync(sqliteFile)) throw new AppError('NOT_FOUND', `There is no database at ${sqliteFile} to back up.`);
  const work = `${target}.partial-${crypto.randomUUID()}`;
  fs.mkdirSync(path.join(work, FILES), { recursive: true, mode: 0o700 });
  try {
    if (sqliteFile) snapshotSqlite(sqliteFile, path.join(work, DATABASE_FILE));
    const skip = new Set([sqliteFile, `${sqliteFile}-wal`, `${sqliteFile}-shm`, `${sqliteFile}-journal`, path.join(install.dataDir, 'secret.key')]);
    const files: BackupManifest['files'] = [];
    for (const rel of dataFiles(install.dataDir, skip)) {
      const copied = await copyVanishing(path.join(install.dataDir, rel), path.join(work, FILES, rel));
      if (copied) files.push({ path: rel, ...copied });
    }
    const manifest: BackupManifest = {
      format: 'lectern-backup',
      version: 1,
      createdAt: now.toISOString(),
      database: sqliteFile ? 'sqlite' : 'postgres',
      databaseFile: sqliteFile ? DATABASE_FILE : null,
      keyFingerprint: keyFingerprint(install.key),
      files,
    };
    if (sqliteFile) manifest.files.unshift({ path: DATABASE_FILE, ...(await copyHashed(path.join(work, DATABASE_FILE), null)) });
    fs.writeFileSync(path.join(work, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    fs.writeFileSync(keyFile, install.key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    fs.renameSync(work, target);
    return manifest;
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Restores the backup folder `input` into an empty (or missing) data folder, checking every file
 * against the manifest and the key against its fingerprint first. `key` is the backup's key (from
 * `<input>.key`, or LECTERN_SECRET_KEY, which is then kept out of the data folder).
 */
export async function restore(install: Omit<Installation, 'key'>, input: string, key: { value: Buffer; writeToDataDir: boolean }): Promise<BackupManifest> {
  const source = path.resolve(input);
  const manifest = readManifest(source);
  if (keyFingerprint(key.value) !== manifest.keyFingerprint) {
    throw new AppError('BAD_REQUEST', 'This key is not the key of this backup (its fingerprint differs). Use the .key file written beside the backup.');
  }
  const dataDir = path.resolve(install.dataDir);
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length) throw new AppError('CONFLICT', `${dataDir} is not empty: a restore goes into an empty data folder only.`);
  const sqliteFile = sqliteFileOf(install.databaseUrl);
  if ((manifest.database === 'sqlite') !== Boolean(sqliteFile)) {
    throw new AppError('BAD_REQUEST', `This backup holds a ${manifest.database} installation, but DATABASE_URL names ${sqliteFile ? 'a SQLite file' : 'PostgreSQL'}.`);
  }
  if (sqliteFile && fs.existsSync(sqliteFile)) throw new AppError('CONFLICT', `${sqliteFile} already exists: a restore never overwrites a database.`);
  // Everything goes into a temporary sibling, renamed into place at the end; a database file outside
  // the data folder (DATABASE_URL) is written beside its own target, and renamed last.
  const work = `${dataDir}.restoring-${crypto.randomUUID()}`;
  const insideDataDir = sqliteFile && !path.relative(dataDir, sqliteFile).startsWith('..') ? path.relative(dataDir, sqliteFile) : null;
  const dbWork = !sqliteFile ? null : insideDataDir ? path.join(work, insideDataDir) : `${sqliteFile}.restoring-${crypto.randomUUID()}`;
  fs.mkdirSync(work, { recursive: true, mode: 0o700 });
  try {
    for (const file of manifest.files) {
      const from = path.join(source, file.path === DATABASE_FILE ? DATABASE_FILE : path.join(FILES, file.path));
      const to = file.path === DATABASE_FILE ? dbWork! : path.join(work, file.path);
      const copied = await copyHashed(from, to);
      if (copied.sha256 !== file.sha256 || copied.bytes !== file.bytes) throw new AppError('BAD_REQUEST', `${file.path} in the backup is damaged: it does not match the manifest.`);
    }
    if (key.writeToDataDir) fs.writeFileSync(path.join(work, 'secret.key'), key.value.toString('base64') + '\n', { mode: 0o600 });
    if (fs.existsSync(dataDir)) fs.rmdirSync(dataDir);
    fs.renameSync(work, dataDir);
    if (sqliteFile && !insideDataDir) {
      fs.mkdirSync(path.dirname(sqliteFile), { recursive: true });
      fs.renameSync(dbWork!, sqliteFile);
    }
    return manifest;
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    if (dbWork && !insideDataDir) fs.rmSync(dbWork, { force: true });
    throw err;
  }
}

/** Reads and checks a backup's manifest: its format, and no path that leaves the backup. */
export function readManifest(source: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(source, 'manifest.json'), 'utf8')) as BackupManifest;
  } catch {
    throw new AppError('BAD_REQUEST', `${source} is not a Lectern backup: it has no readable manifest.json.`);
  }
  if (manifest?.format !== 'lectern-backup' || manifest.version !== 1 || !Array.isArray(manifest.files)) {
    throw new AppError('BAD_REQUEST', `${source} is not a Lectern backup this version can restore (format ${String(manifest?.format)}, version ${String(manifest?.version)}).`);
  }
  for (const file of manifest.files) {
    const clean = path.normalize(String(file.path));
    if (path.isAbsolute(clean) || clean.startsWith('..') || clean !== file.path)
      throw new AppError('BAD_REQUEST', `The backup's manifest names a path outside the backup: ${String(file.path).slice(0, 200)}.`);
  }
  return manifest;
}

function snapshotSqlite(file: string, into: string): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 120000');
    db.prepare('VACUUM INTO ?').run(into);
  } finally {
    db.close();
  }
  fs.chmodSync(into, 0o600);
}

// The data folder's files, relative and sorted; temporary files (".upload-…", ".partial") are not data.
function dataFiles(dataDir: string, skip: Set<string | null>): string[] {
  if (!fs.existsSync(dataDir)) return [];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith('.') || skip.has(full)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) found.push(path.relative(dataDir, full));
    }
  };
  walk(dataDir);
  return found.sort();
}

// Copies a data file listed a moment ago, or returns null when it was deleted meanwhile: a run that
// ends lets go of its bundle, and the purge removes old ones, while a backup runs beside them.
async function copyVanishing(from: string, to: string): Promise<{ bytes: number; sha256: string } | null> {
  try {
    return await copyHashed(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || fs.existsSync(from)) throw err;
    fs.rmSync(to, { force: true });
    return null;
  }
}

// Copies `from` to the new file `to` (or only reads it, when `to` is null), hashing as it streams.
async function copyHashed(from: string, to: string | null): Promise<{ bytes: number; sha256: string }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, to ? chunk : undefined);
    },
  });
  if (to) {
    fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
    await pipeline(fs.createReadStream(from), tap, fs.createWriteStream(to, { mode: 0o600, flags: 'wx' }));
  } else {
    await pipeline(fs.createReadStream(from), tap, new Writable({ write: (_chunk, _enc, done) => done() }));
  }
  return { bytes, sha256: hash.digest('hex') };
}
