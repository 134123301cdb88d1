import fs from 'node:fs';
import path from 'node:path';
import { parseOutboundAllow, type OutboundPolicy } from './security/outbound.js';

/** Runtime configuration read from the environment (names are a public interface, see DESIGN.md). */
export interface Config {
  dataDir: string;
  databaseUrl: string;
  port: number;
  host: string;
  publicUrl: string;
  secretKey: string | undefined;
  bootstrapAdminEmail: string | undefined;
  bootstrapAdminPassword: string | undefined;
  /** Whether the session cookie must be Secure (derived from the public URL's scheme). */
  secureCookies: boolean;
  logLevel: string;
  /** Where jobs run: `embedded` (in `lectern serve`) or `postgres` (graphile-worker, any number of `lectern worker`). */
  jobsEngine: 'embedded' | 'postgres';
  /** Whether `lectern serve` also works jobs (set false when dedicated workers do). */
  serveRunsJobs: boolean;
  /** Largest roster bundle accepted, in bytes. */
  maxBundleBytes: number;
  /** Days a finished preview keeps its (sealed) file and a held run waits for approval (`LECTERN_BUNDLE_RETENTION_DAYS`, default 7). */
  bundleRetentionDays: number;
  /** Days audit entries (reads and changes) are kept before the daily purge deletes them (`LECTERN_AUDIT_RETENTION_DAYS`, default 365). */
  auditRetentionDays: number;
  /** Days a disabled customer waits before the daily purge erases it, unless the customer has its own period (`LECTERN_OFFBOARDING_DAYS`, default 30). */
  offboardingDays: number;
  /** Days the row details (issues, changes) of a finished roster run are kept; the run itself stays (`LECTERN_RUN_DETAIL_DAYS`, default 365). */
  runDetailDays: number;
  /** Largest book file (EPUB, PDF) accepted, in bytes (`LECTERN_MAX_BOOK_MB`, default 200). */
  maxBookBytes: number;
  /** How long an SFTP file must stay the same size and mtime before it is read (`LECTERN_SFTP_SETTLE_SECONDS`, default 5). */
  sftpSettleMs: number;
  /** OneRoster API paging: objects asked for per page (`LECTERN_API_PAGE_SIZE`, default 1000) and the most pages per collection (`LECTERN_API_MAX_PAGES`, default 100000). */
  apiPaging: { pageSize: number; maxPages: number };
  /** Jobs one process runs at once (`LECTERN_JOB_CONCURRENCY`, default 2). */
  jobConcurrency: number;
  /** How often the Auto scheduler looks for due customers (`LECTERN_SCHEDULER_TICK_SECONDS`, default 30). */
  schedulerTickMs: number;
  /** Worker heartbeats: how often, and how long a silence means the worker died (`LECTERN_WORKER_HEARTBEAT_SECONDS` 10, `LECTERN_WORKER_DEAD_AFTER_SECONDS` 60). */
  workerHeartbeatMs: number;
  workerDeadAfterMs: number;
  /** What calls to customer- or launch-supplied addresses may reach besides public https (`LECTERN_OUTBOUND_ALLOW`: host names, addresses, CIDR ranges). */
  outbound: OutboundPolicy;
  /** How long a run's lease outlives its last renewal (`LECTERN_RUN_LEASE_SECONDS`, default 120): a dead process's run is failed after this. */
  runLeaseMs: number;
  /** Where e-mail notifications go out (`LECTERN_SMTP_URL`, e.g. smtp://user:pass@host:587); unset, e-mail is off. */
  smtpUrl: string | undefined;
  /** The From of notification e-mails (`LECTERN_MAIL_FROM`, default `Lectern <lectern@<public host>>`). */
  mailFrom: string;
  /** Waits between the tries of a webhook delivery (five tries over about an hour; tests shorten them). */
  webhookRetryDelaysMs: number[];
}

/**
 * Where `lectern serve` listens when HOST is not set: every interface inside a container (Docker's
 * /.dockerenv, Podman's /run/.containerenv, or the `container` variable Podman and systemd-nspawn
 * set), where the published port is the way in; loopback only anywhere else, so a development or
 * bare host serves no network unless told to (HOST=0.0.0.0, or a reverse proxy on the machine).
 */
export function defaultHost(env: NodeJS.ProcessEnv, exists: (file: string) => boolean = fs.existsSync): string {
  const inContainer = Boolean(env.container) || exists('/.dockerenv') || exists('/run/.containerenv');
  return inContainer ? '0.0.0.0' : '127.0.0.1';
}

/** Reads configuration from an environment map, filling the documented defaults. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.LECTERN_DATA_DIR || './data');
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, got "${env.PORT}"`);
  }
  const publicUrl = (env.LECTERN_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(publicUrl);
  } catch {
    throw new Error(`LECTERN_PUBLIC_URL must be an absolute http(s) URL, got "${publicUrl}"`);
  }
  const smtpUrl = env.LECTERN_SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new Error('LECTERN_SMTP_URL must start with smtp:// or smtps://');
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, 'lectern.db')}`;
  const jobsEngine = env.LECTERN_JOBS || (databaseUrl.startsWith('postgres') ? 'postgres' : 'embedded');
  if (jobsEngine !== 'embedded' && jobsEngine !== 'postgres') throw new Error(`LECTERN_JOBS must be embedded or postgres, got "${jobsEngine}"`);
  if (jobsEngine === 'postgres' && !databaseUrl.startsWith('postgres')) throw new Error('LECTERN_JOBS=postgres needs a PostgreSQL DATABASE_URL');
  const maxBundleMb = Number(env.LECTERN_MAX_BUNDLE_MB || 512);
  if (!Number.isFinite(maxBundleMb) || maxBundleMb <= 0) throw new Error(`LECTERN_MAX_BUNDLE_MB must be a positive number, got "${env.LECTERN_MAX_BUNDLE_MB}"`);
  const maxBookMb = Number(env.LECTERN_MAX_BOOK_MB || 200);
  // Sizes are stored in an integer column (32-bit on PostgreSQL).
  if (!Number.isFinite(maxBookMb) || maxBookMb <= 0 || maxBookMb > 2047) throw new Error(`LECTERN_MAX_BOOK_MB must be a positive number up to 2047, got "${env.LECTERN_MAX_BOOK_MB}"`);
  const seconds = (name: string, fallback: number): number => {
    const value = Number(env[name] || fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of seconds, got "${env[name]}"`);
    return Math.round(value * 1000);
  };
  const whole = (name: string, fallback: number, max: number): number => {
    const value = Number(env[name] || fallback);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} must be a whole number from 1 to ${max}, got "${env[name]}"`);
    return value;
  };
  const jobConcurrency = Number(env.LECTERN_JOB_CONCURRENCY || 2);
  if (!Number.isInteger(jobConcurrency) || jobConcurrency < 1) throw new Error(`LECTERN_JOB_CONCURRENCY must be a whole number from 1, got "${env.LECTERN_JOB_CONCURRENCY}"`);
  const workerHeartbeatMs = seconds('LECTERN_WORKER_HEARTBEAT_SECONDS', 10);
  const workerDeadAfterMs = seconds('LECTERN_WORKER_DEAD_AFTER_SECONDS', 60);
  if (workerDeadAfterMs <= workerHeartbeatMs) throw new Error('LECTERN_WORKER_DEAD_AFTER_SECONDS must be longer than LECTERN_WORKER_HEARTBEAT_SECONDS');
  return {
    dataDir,
    databaseUrl,
    port,
    host: env.HOST || defaultHost(env),
    publicUrl,
    secretKey: env.LECTERN_SECRET_KEY || undefined,
    bootstrapAdminEmail: env.LECTERN_BOOTSTRAP_ADMIN_EMAIL || undefined,
    bootstrapAdminPassword: env.LECTERN_BOOTSTRAP_ADMIN_PASSWORD || undefined,
    secureCookies: parsed.protocol === 'https:',
    logLevel: env.LOG_LEVEL || 'info',
    jobsEngine,
    serveRunsJobs: env.LECTERN_SERVE_WORKER !== 'false',
    maxBundleBytes: Math.round(maxBundleMb * 1048576),
    bundleRetentionDays: whole('LECTERN_BUNDLE_RETENTION_DAYS', 7, 3650),
    auditRetentionDays: whole('LECTERN_AUDIT_RETENTION_DAYS', 365, 36500),
    offboardingDays: whole('LECTERN_OFFBOARDING_DAYS', 30, 3650),
    runDetailDays: whole('LECTERN_RUN_DETAIL_DAYS', 365, 36500),
    maxBookBytes: Math.round(maxBookMb * 1048576),
    sftpSettleMs: seconds('LECTERN_SFTP_SETTLE_SECONDS', 5),
    apiPaging: { pageSize: whole('LECTERN_API_PAGE_SIZE', 1000, 10_000), maxPages: whole('LECTERN_API_MAX_PAGES', 100_000, 10_000_000) },
    jobConcurrency,
    schedulerTickMs: seconds('LECTERN_SCHEDULER_TICK_SECONDS', 30),
    workerHeartbeatMs,
    workerDeadAfterMs,
    runLeaseMs: seconds('LECTERN_RUN_LEASE_SECONDS', 120),
    outbound: parseOutboundAllow(env.LECTERN_OUTBOUND_ALLOW),
    smtpUrl,
    mailFrom: env.LECTERN_MAIL_FROM || `Lectern <lectern@${parsed.hostname}>`,
    webhookRetryDelaysMs: [60_000, 4 * 60_000, 10 * 60_000, 45 * 60_000],
  };
}
