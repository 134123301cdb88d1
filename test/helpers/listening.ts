import net from 'node:net';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { buildApp } from '../../src/server/app.js';
import type { App } from '../../src/server/types.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_OUTBOUND_ALLOW } from './app.js';
import { createTestDatabase, type TestDialect } from './databases.js';

/** A free TCP port on loopback (a public URL must be known before the app is built). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The real app listening on a real loopback port, on a fresh database. */
export interface ListeningApp {
  /** The origin it is served from (also its LECTERN_PUBLIC_URL), e.g. http://127.0.0.1:41234. */
  url: string;
  ctx: AppContext;
  app: App;
  close(): Promise<void>;
}

/** Starts the app as `lectern serve` would (migrations, bootstrap admin), its public URL being its own port; `env` adds configuration (e.g. LECTERN_SMTP_URL). */
export async function startListeningApp(dialect: TestDialect, env: Record<string, string> = {}): Promise<ListeningApp> {
  const database = await createTestDatabase(dialect);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const ctx = await createContext(
    loadConfig({ LECTERN_DATA_DIR: database.dataDir, DATABASE_URL: database.url, LECTERN_PUBLIC_URL: url, PORT: String(port), LECTERN_OUTBOUND_ALLOW: TEST_OUTBOUND_ALLOW, ...env }),
  );
  await ctx.accounts.ensureBootstrapAdmin({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const app = await buildApp(ctx);
  await app.listen({ port, host: '127.0.0.1' });
  return {
    url,
    ctx,
    app,
    close: async () => {
      await app.close();
      await ctx.close();
      await database.drop();
    },
  };
}
