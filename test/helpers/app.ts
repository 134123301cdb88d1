import { describe } from 'node:test';
import { operatorActor } from '../../src/accounts/policy.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { buildApp } from '../../src/server/app.js';
import type { App } from '../../src/server/types.js';
import { DIALECTS, createTestDatabase, postgresSkipReason, type TestDialect } from './databases.js';
import { customerBody } from './factories.js';

/** A running app on a fresh database, for one test file or one test. */
export interface TestApp {
  dialect: TestDialect;
  ctx: AppContext;
  app: App;
  /** A client with no session yet. */
  client(): TestClient;
  /** Signs in as the bootstrap enterprise admin. */
  asAdmin(): Promise<TestClient>;
  close(): Promise<void>;
}

export const ADMIN_EMAIL = 'root@lectern.test';
export const ADMIN_PASSWORD = 'Root-password-1';
/** The tests' fake LMS, OneRoster providers and SFTP servers listen on loopback, which only an allow-list lets Lectern call. */
export const TEST_OUTBOUND_ALLOW = '127.0.0.1';

/** Builds the real app (real database, real HTTP handling through inject) on a fresh database. */
export async function startTestApp(dialect: TestDialect, overrides: Partial<Config> = {}): Promise<TestApp> {
  const database = await createTestDatabase(dialect);
  const config: Config = {
    ...loadConfig({ LECTERN_DATA_DIR: database.dataDir, DATABASE_URL: database.url, LECTERN_PUBLIC_URL: 'http://lectern.test', LECTERN_OUTBOUND_ALLOW: TEST_OUTBOUND_ALLOW }),
    ...overrides,
  };
  const ctx = await createContext(config);
  await ctx.accounts.ensureBootstrapAdmin({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const app = await buildApp(ctx);
  await app.ready();
  return {
    dialect,
    ctx,
    app,
    client: () => new TestClient(app),
    asAdmin: async () => {
      const c = new TestClient(app);
      await c.login(ADMIN_EMAIL, ADMIN_PASSWORD);
      return c;
    },
    close: async () => {
      await app.close();
      await ctx.close();
      await database.drop();
    },
  };
}

/** A JSON response as tests read it. */
export interface TestResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** Talks to the app like the console does: session cookie plus CSRF header on writes. */
export class TestClient {
  cookie: string | null = null;
  csrf: string | null = null;
  bearer: string | null = null;

  constructor(private readonly app: App) {}

  /** Signs in and keeps the session; throws if sign-in fails. */
  async login(login: string, password: string): Promise<this> {
    const res = await this.post<{ csrfToken: string }>('/api/auth/login', { login, password });
    if (res.status !== 200) throw new Error(`login as ${login} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return this;
  }

  get<T = unknown>(url: string): Promise<TestResponse<T>> {
    return this.request<T>('GET', url);
  }

  post<T = unknown>(url: string, body?: unknown): Promise<TestResponse<T>> {
    return this.request<T>('POST', url, body);
  }

  patch<T = unknown>(url: string, body?: unknown): Promise<TestResponse<T>> {
    return this.request<T>('PATCH', url, body);
  }

  delete<T = unknown>(url: string): Promise<TestResponse<T>> {
    return this.request<T>('DELETE', url);
  }

  /** Any request; sends the session cookie, the CSRF token on writes, or the bearer token. */
  async request<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const res = await this.app.inject({ method, url, headers: h, ...(body !== undefined ? { payload: body as object } : {}) });
    const setCookie = res.cookies.find((c) => c.name.endsWith('lectern_session'));
    if (setCookie) this.cookie = setCookie.value ? `${setCookie.name}=${setCookie.value}` : null;
    let parsed: unknown = res.body;
    if (String(res.headers['content-type'] ?? '').includes('application/json') && res.body) parsed = JSON.parse(res.body);
    const csrf = (parsed as { csrfToken?: string } | null)?.csrfToken;
    if (typeof csrf === 'string') this.csrf = csrf;
    return { status: res.statusCode, body: parsed as T, headers: res.headers };
  }
}

/**
 * Declares `fn`'s tests once per dialect (SQLite and PostgreSQL). PostgreSQL tests are skipped
 * locally, with a loud message, only when no server is reachable; in CI they always run.
 */
export function describeEachDialect(title: string, fn: (dialect: TestDialect) => void): void {
  for (const dialect of DIALECTS) {
    const skip = dialect === 'postgres' ? postgresSkipReason() : null;
    describe(`${title} [${dialect}]`, skip ? { skip } : {}, () => fn(dialect));
  }
}

/**
 * Adds a customer through the service (as the CLI operator) and returns its id and admin login. The
 * admin is seeded as after their first sign-in, with the password they chose themselves (a new
 * customer admin must change the one the enterprise admin typed: auth.test.ts covers that step).
 */
export async function seedCustomer(ctx: AppContext, overrides: Parameters<typeof customerBody>[0] = {}) {
  const body = customerBody(overrides);
  const created = await ctx.customers.create(operatorActor, body);
  await ctx.db.kysely.updateTable('users').set({ must_change_password: 0 }).where('id', '=', created.administrator.userId!).execute();
  return { id: created.id, code: created.profile.code, adminEmail: body.administrator.email, adminPassword: body.administrator.password, created };
}
