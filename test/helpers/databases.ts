import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';

/** Where the test PostgreSQL server is; each test file gets its own fresh database on it. */
export const PG_ADMIN_URL = process.env.LECTERN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** True when running in CI, where a missing PostgreSQL or Chromium must fail the run, not skip. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

async function pgReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgProblem = await pgReachable();

/**
 * Why PostgreSQL tests cannot run here, or null when they can. In CI this is always null: there the
 * tests run and fail loudly instead of being skipped.
 */
export function postgresSkipReason(): string | null {
  if (!pgProblem || IN_CI) return null;
  const reason = `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${pgProblem}); PostgreSQL tests are SKIPPED locally`;
  console.warn(`\n!!! ${reason} !!!\n`);
  return reason;
}

/** A fresh, empty database of one dialect, with a way to throw it away. */
export interface TestDatabase {
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** Creates a new empty database: a temp SQLite file, or a uniquely named PostgreSQL database. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-test-'));
  if (dialect === 'sqlite') {
    return { url: `sqlite:${path.join(dataDir, 'lectern.db')}`, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `lectern_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The dialects every database-backed test runs on. */
export const DIALECTS: TestDialect[] = ['sqlite', 'postgres'];
