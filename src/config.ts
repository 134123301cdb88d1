import path from 'node:path';

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
  /** Largest book file (EPUB, PDF) accepted, in bytes (`LECTERN_MAX_BOOK_MB`, default 200). */
  maxBookBytes: number;
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
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, 'lectern.db')}`;
  const jobsEngine = env.LECTERN_JOBS || (databaseUrl.startsWith('postgres') ? 'postgres' : 'embedded');
  if (jobsEngine !== 'embedded' && jobsEngine !== 'postgres') throw new Error(`LECTERN_JOBS must be embedded or postgres, got "${jobsEngine}"`);
  if (jobsEngine === 'postgres' && !databaseUrl.startsWith('postgres')) throw new Error('LECTERN_JOBS=postgres needs a PostgreSQL DATABASE_URL');
  const maxBundleMb = Number(env.LECTERN_MAX_BUNDLE_MB || 512);
  if (!Number.isFinite(maxBundleMb) || maxBundleMb <= 0) throw new Error(`LECTERN_MAX_BUNDLE_MB must be a positive number, got "${env.LECTERN_MAX_BUNDLE_MB}"`);
  const maxBookMb = Number(env.LECTERN_MAX_BOOK_MB || 200);
  if (!Number.isFinite(maxBookMb) || maxBookMb <= 0) throw new Error(`LECTERN_MAX_BOOK_MB must be a positive number, got "${env.LECTERN_MAX_BOOK_MB}"`);
  return {
    dataDir,
    databaseUrl,
    port,
    host: env.HOST || '0.0.0.0',
    publicUrl,
    secretKey: env.LECTERN_SECRET_KEY || undefined,
    bootstrapAdminEmail: env.LECTERN_BOOTSTRAP_ADMIN_EMAIL || undefined,
    bootstrapAdminPassword: env.LECTERN_BOOTSTRAP_ADMIN_PASSWORD || undefined,
    secureCookies: parsed.protocol === 'https:',
    logLevel: env.LOG_LEVEL || 'info',
    jobsEngine,
    serveRunsJobs: env.LECTERN_SERVE_WORKER !== 'false',
    maxBundleBytes: Math.round(maxBundleMb * 1048576),
    maxBookBytes: Math.round(maxBookMb * 1048576),
  };
}
