import type { Config } from '../config.js';
import { createContext } from '../context.js';
import { buildApp } from './app.js';

/** Starts `lectern serve`: migrate, make sure an admin exists, listen, and shut down cleanly on signals. */
export async function startServer(config: Config): Promise<void> {
  const ctx = await createContext(config);
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
