import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Actor } from '../../accounts/policy.js';
import { AuditService } from '../../audit/audit-service.js';
import type { ContentStore } from '../../content/content-store.js';
import type { Db, Dialect } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { failpoint, failpointPerStatement } from '../../failpoints.js';
import { RunRepository } from '../../rostering/runs/run-repository.js';
import { endUnapplied } from '../../rostering/sync/engine.js';
import type { SecretBox } from '../../security/secret-box.js';
import { addMs, nowIso } from '../../time.js';
import { ErasureRepository, type CertificateRow } from './erasure-repository.js';
import { DIGEST_RULE, KeyDigest, MANIFEST_FORMAT, canonicalJson, fileEntry, sha256Hex, type Manifest, type TableEntry } from './manifest.js';
import { sourcedIdDigester } from './returning.js';
import type { ErasureCounts } from './kinds.js';
import { ERASURE_TABLES, GRAPHILE_JOBS, type ErasureTable, type PersonScope } from './tables.js';

/** What the eraser needs of the process. */
export interface EraserDeps {
  db: Db;
  secrets: SecretBox;
  contentStore: ContentStore;
  /** How long the erasure's hold on the customer's roster lasts between renewals (the runs' lease). */
  leaseMs: number;
}

/** One erasure to carry out: a whole customer, or one person of it. */
export interface ErasureJob {
  reason: 'request' | 'offboarding';
  actor: Actor;
  customer: { id: string; code: string; name: string };
  /** The person, for a person's erasure; null erases the customer. */
  person: PersonScope | null;
}

/** Why a run of the customer was ended by a person's erasure (its roster file or plan could hold them). */
const RUN_ENDED_BY_ERASURE = 'A person was erased while this run waited; its roster file and plan could hold them, so it was ended and nothing of it was applied. Upload or pull the roster again.';

// Another transaction changed the rows between their digest and their delete (PostgreSQL only, where
// a sign-in may add a session meanwhile): the erasure starts again, so its manifest tells the truth.
class RowsMoved extends Error {}
const ATTEMPTS = 3;

/**
 * Erases a customer or a person in one transaction, then their files. Holds the customer's roster
 * lease throughout (no run reads, plans or applies meanwhile); digests every row before deleting it
 * (the manifest), deletes children first, stores the certificate and the one audit entry that stays,
 * all or nothing. Files go only after the commit: a crash before it leaves everything as it was; a
 * crash after it leaves files the daily purge sweeps (`sweepLeftovers`, the bundle store's orphans).
 * On SQLite the write-ahead log is then checkpointed and truncated, so erased pages leave no copy there.
 */
export async function erase(deps: EraserDeps, job: ErasureJob): Promise<CertificateRow> {
  const k = deps.db.kysely;
  const customerId = job.customer.id;
  const certificateId = crypto.randomUUID();
  const holder = `erasure:${certificateId}`;
  const runs = new RunRepository(k);
  if (!(await runs.acquireLease(customerId, holder, nowIso(), addMs(nowIso(), deps.leaseMs)))) {
    throw new AppError('SYNC_IN_PROGRESS', 'A roster sync of this customer is running: erase once it has ended.');
  }
  const heartbeat = setInterval(() => void runs.renewLease(customerId, holder, addMs(nowIso(), deps.leaseMs)).catch(() => undefined), deps.leaseMs / 4);
  heartbeat.unref();
  try {
    const bundles = await keptBundles(k, customerId);
    const contentFolder = job.person ? null : deps.contentStore.folderOf(customerId);
    const contentFiles = contentFolder ? await filesIn(contentFolder) : [];
    let certificate: CertificateRow | null = null;
    for (let attempt = 1; !certificate; attempt++) {
      try {
        certificate = await k.transaction().execute((trx) => eraseRows(failpointPerStatement<Database>(trx, 'erase.step'), deps, job, certificateId, { bundles, contentFiles }));
      } catch (err) {
        if (!(err instanceof RowsMoved) || attempt >= ATTEMPTS) throw err;
      }
    }
    failpoint('erase.committed');
    if (contentFolder) await fs.promises.rm(contentFolder, { recursive: true, force: true });
    for (const file of bundles) await fs.promises.rm(file, { force: true });
    await checkpointSqlite(deps.db);
    return certificate;
  } finally {
    clearInterval(heartbeat);
    await runs.releaseLease(customerId, holder).catch(() => undefined);
  }
}

// The rows: runs the person's erasure ends first, then every table of the list, then the records that stay.
async function eraseRows(trx: Kysely<Database>, deps: EraserDeps, job: ErasureJob, certificateId: string, files: { bundles: string[]; contentFiles: string[] }): Promise<CertificateRow> {
  const now = nowIso();
  const customerId = job.customer.id;
  if (job.person) await endRunsHolding(trx, customerId, now);
  const secrets = await sealedSecrets(trx, job);
  const records: Record<string, TableEntry> = {};
  const anonymized: Record<string, TableEntry> = {};
  const queue = deps.db.dialect === 'postgres' && (await sql<{ t: string | null }>`select to_regclass(${GRAPHILE_JOBS.table})::text as t`.execute(trx)).rows[0]?.t;
  for (const t of queue ? [GRAPHILE_JOBS, ...ERASURE_TABLES] : ERASURE_TABLES) {
    const person = job.person;
    if (!person) {
      records[t.table] = await removeRows(trx, deps.db.dialect, t, t.customer({ customerId }));
      continue;
    }
    if (t.person.delete) records[t.table] = await removeRows(trx, deps.db.dialect, t, t.person.delete(person));
    for (const rule of t.person.anonymize ?? []) {
      const set = rule.set(person);
      const where = rule.where(person);
      const entry = await digestRows(trx, deps.db.dialect, t, where);
      const assignments = sql.join(Object.entries(set).map(([column, value]) => sql`${sql.ref(column)} = ${value}`));
      const result = await sql`update ${sql.table(t.table)} set ${assignments} where ${where}`.execute(trx);
      if (Number(result.numAffectedRows ?? 0) !== entry.count) throw new RowsMoved();
      anonymized[`${t.table}.${Object.keys(set).join('+')}`] = entry;
    }
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    digestRule: DIGEST_RULE,
    certificateId,
    kind: job.person ? 'person' : 'customer',
    reason: job.reason,
    customer: { id: customerId, code: job.customer.code },
    person: job.person ? { id: job.person.userId } : null,
    erasedAt: now,
    records,
    anonymized,
    files: { content: fileEntry(files.contentFiles), bundles: fileEntry(files.bundles.map((f) => path.basename(f))) },
    secrets,
  };
  const manifestJson = canonicalJson(manifest);
  const row: CertificateRow = {
    id: certificateId,
    kind: manifest.kind,
    customer_id: customerId,
    customer_code: job.customer.code,
    customer_name: job.customer.name,
    subject_id: job.person?.userId ?? null,
    reason: job.reason,
    actor_label: job.actor.label,
    erased_at: now,
    counts: JSON.stringify(countsOf(manifest)),
    manifest: manifestJson,
    manifest_sha256: sha256Hex(manifestJson),
  };
  const repo = new ErasureRepository(trx);
  if (job.person?.sourcedId) await repo.rememberErased(customerId, sourcedIdDigester(deps.secrets, customerId)(job.person.sourcedId), certificateId, now);
  await repo.insertCertificate(row);
  // The one entry that stays of the customer's (or the person's) audit trail: that it was erased, by whom, and which certificate says what.
  await new AuditService(trx).record(job.actor, {
    customerId,
    action: job.person ? 'user.erased' : 'customer.erased',
    targetType: job.person ? 'user' : 'customer',
    targetId: job.person ? job.person.userId : customerId,
    fields: [`certificate:${certificateId}`],
  });
  return row;
}

function countsOf(m: Manifest): ErasureCounts {
  const nonZero = (entries: Record<string, TableEntry>) =>
    Object.fromEntries(
      Object.entries(entries)
        .filter(([, e]) => e.count > 0)
        .map(([k, e]) => [k, e.count]),
    );
  return { records: nonZero(m.records), anonymized: nonZero(m.anonymized), files: { content: m.files.content.count, bundles: m.files.bundles.count }, secrets: m.secrets };
}

// Digests the rows `where` picks, deletes them, and checks that the delete took exactly those.
async function removeRows(trx: Kysely<Database>, dialect: Dialect, t: ErasureTable, where: RawBuilder<unknown>): Promise<TableEntry> {
  const entry = await digestRows(trx, dialect, t, where);
  const result = await sql`delete from ${sql.table(t.table)} where ${where}`.execute(trx);
  if (Number(result.numAffectedRows ?? 0) !== entry.count) throw new RowsMoved();
  return entry;
}

/**
 * The count and digest of the rows `where` picks, streamed in key order (memory holds a chunk). Text
 * keys sort by bytes on both dialects (PostgreSQL's "C" collation is SQLite's BINARY).
 */
async function digestRows(trx: Kysely<Database>, dialect: Dialect, t: ErasureTable, where: RawBuilder<unknown>): Promise<TableEntry> {
  if (!t.key) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t.table)} where ${where}`.execute(trx);
    return { count: Number(r.rows[0]?.n ?? 0), keys: null, sha256: null };
  }
  const order = t.key.map((c) => (t.numeric?.includes(c) || dialect === 'sqlite' ? sql`${sql.ref(c)}` : sql`${sql.ref(c)} collate "C"`));
  // A select node (not raw SQL): the SQLite driver streams only those.
  let query = trx
    .selectFrom(sql.table(t.table).as('r'))
    .select(t.key.map((c) => sql<unknown>`${sql.ref(c)}`.as(c)))
    .where(where as RawBuilder<SqlBool>);
  for (const o of order) query = query.orderBy(o);
  const digest = new KeyDigest();
  for await (const row of query.stream(1000)) digest.add(t.key.map((c) => String((row as Record<string, unknown>)[c])).join(':'));
  return { count: digest.count, keys: t.key, sha256: digest.hex() };
}

/*
 * A person's erasure ends the customer's runs whose roster file or plan could hold them: runs held
 * for approval are discarded (their plan leaves the stage), queued runs fail, and finished previews
 * lose their kept file (Apply then asks for the file again). The files go after the commit.
 */
async function endRunsHolding(trx: Kysely<Database>, customerId: string, now: string): Promise<void> {
  const runs = new RunRepository(trx);
  const waiting = await trx.selectFrom('roster_runs').select(['id', 'status']).where('customer_id', '=', customerId).where('status', 'in', ['awaiting_approval', 'queued']).execute();
  for (const run of waiting) {
    const ended = { stage: 'done', decided_by: 'Lectern (erasure)', decided_at: now, finished_at: now, error_code: 'PERSON_ERASED', error_message: RUN_ENDED_BY_ERASURE, bundle_path: null };
    if (run.status === 'awaiting_approval') {
      if (await runs.transition(run.id, 'awaiting_approval', { ...ended, status: 'discarded' })) await endUnapplied(trx, run.id);
    } else {
      await runs.transition(run.id, 'queued', { ...ended, status: 'failed' });
    }
  }
  await trx.updateTable('roster_runs').set({ bundle_path: null }).where('customer_id', '=', customerId).where('bundle_path', 'is not', null).execute();
}

// Every roster file a run of the customer keeps (a person's erasure ends them all; a customer's deletes them with the runs).
async function keptBundles(db: Kysely<Database>, customerId: string): Promise<string[]> {
  const rows = await db.selectFrom('roster_runs').select('bundle_path').distinct().where('customer_id', '=', customerId).where('bundle_path', 'is not', null).execute();
  const files: string[] = [];
  for (const r of rows) if (r.bundle_path && fs.existsSync(r.bundle_path)) files.push(r.bundle_path);
  return files;
}

// File names in a folder (none when it does not exist).
async function filesIn(folder: string): Promise<string[]> {
  try {
    return (await fs.promises.readdir(folder, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

// Sealed values among the rows about to go: the customer's LTI and roster credentials, its webhook secret, staged and pending passwords.
async function sealedSecrets(trx: Kysely<Database>, job: ErasureJob): Promise<number> {
  const c = job.customer.id;
  const p = job.person;
  const staged = p
    ? sql`(select count(*) from stage_users where password_sealed is not null and run_id in (select id from roster_runs where customer_id = ${c})
        and (target_id = ${p.userId}${p.sourcedId === null ? sql`` : sql` or sourced_id = ${p.sourcedId}`}))`
    : sql`(select count(*) from stage_users where password_sealed is not null and run_id in (select id from roster_runs where customer_id = ${c}))`;
  const pending = p ? sql`(select count(*) from pending_passwords where user_id = ${p.userId})` : sql`(select count(*) from pending_passwords where customer_id = ${c})`;
  const settings = p
    ? sql`0`
    : sql`(select count(*) from customers where id = ${c} and lti_shared_secret_enc != '')
        + (select count(api_secret_enc) + count(sftp_password_enc) + count(sftp_private_key_enc) from rostering_configs where customer_id = ${c})
        + (select count(*) from notification_webhooks where customer_id = ${c})`;
  const r = await sql<{ n: number | string }>`select ${staged} + ${pending} + ${settings} as n`.execute(trx);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * SQLite keeps a copy of every changed page in its write-ahead log until a checkpoint writes it back;
 * a TRUNCATE checkpoint empties the log (secure_delete, set on every connection, has already zeroed
 * the erased content in the pages themselves). A reader in another connection can hold the log back
 * for a moment, so this tries a few times.
 */
async function checkpointSqlite(db: Db): Promise<void> {
  if (!db.sqlite) return;
  for (let i = 0; i < 20; i++) {
    const rows = (await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db.kysely)).rows;
    if (!rows[0]?.busy) return;
    await sleep(50);
  }
}
