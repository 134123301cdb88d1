import type { Config } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { ROSTER_PURGE_JOB } from '../rostering/runs/run-jobs.js';
import { buildApp } from './app.js';

/** Starts `lectern worker`: processes jobs (roster runs, purges) until a signal stops it. */
export async function startWorker(config: Config): Promise<void> {
  const ctx = await createContext(config);
  await startBackgroundWork(ctx);
  console.error(`Lectern worker (${ctx.jobs.engine} jobs) on ${ctx.db.describe}`);
  const shutdown = async () => {
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

// Jobs, recovery of what a stopped process left, and the periodic purge.
async function startBackgroundWork(ctx: AppContext): Promise<void> {
  await ctx.runs.failInterrupted();
  await ctx.jobs.start({ concurrency: 2 });
  // Passwords queued before a restart still need their hashes.
  void ctx.runs.hashPasswords().catch((err: unknown) => console.error(`password hashing: ${(err as Error).message}`));
  const purge = () => void ctx.jobs.enqueue(ROSTER_PURGE_JOB, {}, { jobKey: `purge:${new Date().toISOString().slice(0, 10)}` }).catch(() => undefined);
  purge();
  setInterval(purge, 6 * 3600_000).unref();
  // A run whose process died is failed once its lease runs out, whichever process notices first.
  setInterval(() => void ctx.runs.failInterrupted().catch(() => undefined), 60_000).unref();
}

/** Starts `lectern serve`: migrate, make sure an admin exists, listen, and shut down cleanly on signals. */
export async function startServer(config: Config): Promise<void> {
  const ctx = await createContext(config);
  if (config.serveRunsJobs) await startBackgroundWork(ctx);
  const bootstrap = await ctx.accounts.ensureBootstrapAdmin({ email: config.bootstrapAdminEmail, password: config.bootstrapAdminPassword });
  if (bootstrap?.oneTimePassword) {
    // Printed once, to the console of whoever started the server; it must be changed at first sign-in.
    process.stdout.write(
      `\n  First start: created enterprise admin ${bootstrap.email}\n  One-time password: ${bootstrap.oneTimePassword}\n  (shown only now; you will be asked to change it when you sign in)\n\n`,
    );
  }
  const app = await buildApp(ctx, {
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.secretKey', '*.sharedSecret'], censor: '[redacted]' },
    },
  });
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  app.log.info(`Lectern is listening on ${config.publicUrl} (database ${ctx.db.describe})`);
}
