import type { Config } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { ROSTER_PURGE_JOB } from '../rostering/runs/run-jobs.js';
import { RosterScheduler } from '../rostering/scheduler.js';
import { buildApp } from './app.js';
import { loggerOptions } from './logging.js';

/** Starts `lectern worker`: processes jobs (roster runs, pulls, purges) and schedules Auto pulls until a signal stops it. */
export async function startWorker(config: Config): Promise<void> {
  const ctx = await createContext(config);
  const stopBackground = await startBackgroundWork(ctx);
  console.error(`Lectern worker (${ctx.jobs.engine} jobs) on ${ctx.db.describe}`);
  const shutdown = async () => {
    await stopBackground();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

/**
 * Jobs, the Auto scheduler, recovery of what a stopped process left, and the periodic purge; returns
 * how to stop the scheduler. Every worker (and a serve that runs jobs) ticks the scheduler: its
 * database claim queues each slot once, however many tick.
 */
async function startBackgroundWork(ctx: AppContext): Promise<() => Promise<void>> {
  await ctx.runs.failInterrupted();
  await ctx.jobs.start({ concurrency: ctx.config.jobConcurrency });
  // Passwords queued before a restart still need their hashes.
  void ctx.runs.hashPasswords().catch((err: unknown) => console.error(`password hashing: ${(err as Error).message}`));
  const purge = () => void ctx.jobs.enqueue(ROSTER_PURGE_JOB, {}, { jobKey: `purge:${new Date().toISOString().slice(0, 10)}` }).catch(() => undefined);
  purge();
  setInterval(purge, 6 * 3600_000).unref();
  // Stale feeds are checked, and the day's digest queued, every quarter hour (one waiting job each, however many processes).
  const notify = () => void ctx.notifications.queueDue().catch((err: unknown) => console.error(`notifications: ${(err as Error).message}`));
  notify();
  setInterval(notify, 15 * 60_000).unref();
  // A run whose process died is failed once its lease runs out, whichever process notices first.
  setInterval(() => void ctx.runs.failInterrupted().catch(() => undefined), Math.min(60_000, ctx.config.runLeaseMs / 2)).unref();
  const scheduler = new RosterScheduler(ctx);
  scheduler.start(ctx.config.schedulerTickMs);
  return () => scheduler.stop();
}

/** Starts `lectern serve`: migrate, make sure an admin exists, listen, and shut down cleanly on signals. */
export async function startServer(config: Config): Promise<void> {
  const ctx = await createContext(config);
  const stopBackground = config.serveRunsJobs ? await startBackgroundWork(ctx) : async () => undefined;
  const bootstrap = await ctx.accounts.ensureBootstrapAdmin({ email: config.bootstrapAdminEmail, password: config.bootstrapAdminPassword });
  if (bootstrap?.oneTimePassword) {
    // Printed once, to the console of whoever started the server; it must be changed at first sign-in.
    process.stdout.write(
      `\n  First start: created enterprise admin ${bootstrap.email}\n  One-time password: ${bootstrap.oneTimePassword}\n  (shown only now; you will be asked to change it when you sign in)\n\n`,
    );
  }
  const app = await buildApp(ctx, { logger: loggerOptions(config.logLevel) });
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await stopBackground();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  // Says which interface, since the default differs in and out of a container (config.ts defaultHost).
  app.log.info(`Lectern is listening on ${config.host}:${config.port} for ${config.publicUrl} (database ${ctx.db.describe}; HOST sets the interface)`);
}
