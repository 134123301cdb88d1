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
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || `sqlite:${path.join(dataDir, 'lectern.db')}`,
    port,
    host: env.HOST || '0.0.0.0',
    publicUrl,
    secretKey: env.LECTERN_SECRET_KEY || undefined,
    bootstrapAdminEmail: env.LECTERN_BOOTSTRAP_ADMIN_EMAIL || undefined,
    bootstrapAdminPassword: env.LECTERN_BOOTSTRAP_ADMIN_PASSWORD || undefined,
    secureCookies: parsed.protocol === 'https:',
    logLevel: env.LOG_LEVEL || 'info',
  };
}
