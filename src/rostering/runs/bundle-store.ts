import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Database, RosterRun } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { SecretBox } from '../../security/secret-box.js';
import { SealedReader, isSealed, sealer } from './sealed-bundle.js';

/** A stored bundle: where it is and what it is (size and SHA-256 of the zip as received). */
export interface StoredBundle {
  path: string;
  sizeBytes: number;
  sha256: string;
}

const DAY_MS = 86_400_000;
// A file no run names yet may be an upload whose run is being recorded: orphans wait this long.
const ORPHAN_GRACE_MS = DAY_MS;

/**
 * Where roster bundles wait for the run that needs them (`<dataDir>/bundles`), sealed with a key
 * derived from the data key, and how long a finished preview's file is kept for its apply.
 */
export class BundleStore {
  readonly dir: string;
  private readonly key: Buffer;

  constructor(
    dataDir: string,
    secrets: SecretBox,
    /** Days a finished preview keeps its file and a held run waits for approval (`LECTERN_BUNDLE_RETENTION_DAYS`). */
    readonly retentionDays: number,
  ) {
    this.dir = path.join(dataDir, 'bundles');
    this.key = secrets.deriveKey('roster-bundle');
  }

  /** Opens a kept bundle for the zip reader, decrypting chunk by chunk; throws SealedBundleError or ENOENT. */
  open(file: string): Promise<SealedReader> {
    return SealedReader.open(file, this.key);
  }

  /** A stream that seals what is written to it. */
  sealer(): Transform {
    return sealer(this.key);
  }
}

/**
 * The one way a bundle enters the store (uploads, SFTP pulls, CLI imports): streamed to
 * `<dataDir>/bundles/<id>.sealed`, hashed and sealed as it goes and stopped at `maxBytes`, so memory
 * holds a chunk or two and no plaintext byte reaches the disk. A partial file is removed on any failure.
 */
export async function storeBundle(source: Readable, store: BundleStore, maxBytes: number): Promise<StoredBundle> {
  await fs.promises.mkdir(store.dir, { recursive: true });
  const file = path.join(store.dir, `${crypto.randomUUID()}.sealed`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the ${Math.round(maxBytes / 1048576)} MB limit.`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, store.sealer(), fs.createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await fs.promises.rm(file, { force: true });
    throw err;
  }
  // Multipart stops quietly at its own limit and flags the stream instead of failing it.
  if ((source as Readable & { truncated?: boolean }).truncated) {
    await fs.promises.rm(file, { force: true });
    throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the ${Math.round(maxBytes / 1048576)} MB limit.`);
  }
  return { path: file, sizeBytes: size, sha256: hash.digest('hex') };
}

/** Stores a bundle that is already a file on this machine (CLI import): copied, so the original may change. */
export async function storeBundleFile(file: string, store: BundleStore, maxBytes: number): Promise<StoredBundle> {
  let stream: fs.ReadStream;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    stream = fs.createReadStream(file);
  } catch {
    throw new AppError('BAD_REQUEST', `Cannot read ${file}: no such file or no permission.`);
  }
  return storeBundle(stream, store, maxBytes);
}

type RunFileState = Pick<RosterRun, 'status' | 'dry_run'>;

// A run about to read its file.
const READING: RosterRun['status'][] = ['queued', 'running'];

/**
 * Whether a run still needs its file: it has yet to read it, or it is a finished preview, whose
 * "Apply this preview" reads it again. Nothing else reads a kept file: a held run's plan is in the
 * stage tables (approving applies it from there) and the same-file check compares the SHA-256 of the
 * run records.
 */
function needsFile(run: RunFileState): boolean {
  return READING.includes(run.status) || (run.dry_run === 1 && (run.status === 'succeeded' || run.status === 'succeeded_with_warnings'));
}

/**
 * Called when a run ends (or is discarded): deletes its file unless the run still needs it. The
 * ended run and every finished run naming the same file let go of it (a preview's file serves one
 * apply), and the file goes once no queued or running run names it. Never throws: what a failure
 * here leaves behind, the daily purge removes.
 */
export async function releaseBundle(db: Kysely<Database>, runId: string): Promise<void> {
  try {
    const run = await db.selectFrom('roster_runs').select(['status', 'dry_run', 'bundle_path']).where('id', '=', runId).executeTakeFirst();
    if (run?.bundle_path && !needsFile(run)) await letGo(db, run.bundle_path);
  } catch {
    // See above: the purge retries.
  }
}

// Finished runs forget `file` first, so a crash in between leaves an orphan (purged), never a run
// naming a missing file. True when a file was deleted.
async function letGo(db: Kysely<Database>, file: string): Promise<boolean> {
  await db.updateTable('roster_runs').set({ bundle_path: null }).where('bundle_path', '=', file).where('status', 'not in', READING).execute();
  const reader = await db.selectFrom('roster_runs').select('id').where('bundle_path', '=', file).limit(1).executeTakeFirst();
  if (reader) return false;
  try {
    await fs.promises.rm(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * The daily purge of the bundle store: files of previews past the retention, files that no run
 * needs any more (runs that ended before bundles were released, or whose release failed), plain
 * zips kept by versions before bundles were sealed, and orphans (no run names them) older than a
 * day. Returns how many files it deleted.
 */
export async function purgeBundles(db: Kysely<Database>, store: BundleStore, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - store.retentionDays * DAY_MS).toISOString();
  const named = await db.selectFrom('roster_runs').select(['bundle_path', 'status', 'dry_run', 'finished_at']).where('bundle_path', 'is not', null).execute();
  const byFile = new Map<string, typeof named>();
  for (const run of named) byFile.set(run.bundle_path!, [...(byFile.get(run.bundle_path!) ?? []), run]);
  let deleted = 0;
  for (const [file, runs] of byFile) {
    const reading = runs.some((r) => READING.includes(r.status));
    const previewWithin = runs.some((r) => needsFile(r) && r.finished_at !== null && r.finished_at >= cutoff);
    if (reading || (previewWithin && (await sealedFile(file)))) continue;
    if (await letGo(db, file)) deleted++;
  }
  const kept = new Set((await db.selectFrom('roster_runs').select('bundle_path').where('bundle_path', 'is not', null).execute()).map((r) => path.basename(r.bundle_path!)));
  let names: string[];
  try {
    names = await fs.promises.readdir(store.dir);
  } catch {
    return deleted;
  }
  for (const name of names) {
    if (kept.has(name)) continue;
    const file = path.join(store.dir, name);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat?.isFile() || stat.mtimeMs > now.getTime() - ORPHAN_GRACE_MS) continue;
    await fs.promises.rm(file, { force: true });
    deleted++;
  }
  return deleted;
}

// Whether `file` is a sealed bundle (false when it is missing or a plain zip of an older version).
async function sealedFile(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    return isSealed(head);
  } finally {
    await handle.close();
  }
}
