import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { scheduleBasis } from '../../src/rostering/scheduler-repository.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_OUTBOUND_ALLOW, seedCustomer } from '../helpers/app.js';
import { HEADERS, district11, table, zipBuffer } from '../helpers/bundles.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../helpers/databases.js';
import { startSftpServer, type TestSftpServer } from '../helpers/sftp-server.js';

/** A `lectern` child process and every line it wrote (stdout and stderr). */
export interface LecternProcess {
  name: string;
  proc: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts `node bin/lectern.js <args>` with `env`, collecting its output line by line. */
export function spawnLectern(name: string, args: string[], env: NodeJS.ProcessEnv): LecternProcess {
  const proc = spawn(process.execPath, ['bin/lectern.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      output.push(...lines);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return { name, proc, output, exited };
}

/** Each process's name, exit and last lines, for a failure message. */
export function describeProcesses(processes: LecternProcess[], lines = 15): string {
  return processes.map((p) => `--- ${p.name} (${p.proc.exitCode ?? p.proc.signalCode ?? 'running'})\n${p.output.slice(-lines).join('\n')}`).join('\n');
}

/** What a process-level test works with: its database, SFTP server, a context on them, and its processes. */
export interface ScaleFixture {
  database: TestDatabase;
  sftp: TestSftpServer;
  ctx: AppContext;
  env: NodeJS.ProcessEnv;
  children: LecternProcess[];
  /** Starts a `lectern` process with the shared environment (plus `extra`); stopped after the suite. */
  start(name: string, args: string[], extra?: Record<string, string>): LecternProcess;
}

/** Sets up a fresh database and SFTP server before the suite, and stops and removes everything after it. */
export function useScaleFixture(dialect: TestDialect, extraEnv: Record<string, string> = {}): ScaleFixture {
  const fx = { children: [] as LecternProcess[] } as ScaleFixture;
  fx.start = (name, args, extra = {}) => {
    const child = spawnLectern(name, args, { ...fx.env, ...extra });
    fx.children.push(child);
    return child;
  };
  before(async () => {
    fx.database = await createTestDatabase(dialect);
    fx.sftp = await startSftpServer();
    fx.env = sharedEnv(fx.database, extraEnv);
    fx.ctx = await createContext(loadConfig(fx.env));
  });
  after(async () => {
    await stopAll(fx.children);
    await fx.ctx?.close();
    await fx.sftp?.close();
    await fx.database?.drop();
  });
  return fx;
}

/** Stops children: SIGTERM, then SIGKILL for any still there after 5 s. */
export async function stopAll(children: LecternProcess[]): Promise<void> {
  const alive = (c: LecternProcess) => c.proc.exitCode === null && c.proc.signalCode === null;
  for (const c of children) if (alive(c)) c.proc.kill('SIGTERM');
  await Promise.all(children.map((c) => Promise.race([c.exited, new Promise((r) => setTimeout(r, 5000))])));
  for (const c of children) if (alive(c)) c.proc.kill('SIGKILL');
}

/**
 * The environment of a lectern process started by a test: its database and data dir, one secret key
 * (each process must open the others' secrets), the bootstrap admin, and the local servers it may call.
 */
export function processEnv(database: TestDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    LECTERN_DATA_DIR: database.dataDir,
    LECTERN_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    LECTERN_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    LECTERN_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LECTERN_OUTBOUND_ALLOW: TEST_OUTBOUND_ALLOW,
    LOG_LEVEL: 'warn',
    ...extra,
  };
  delete env.LECTERN_FAILPOINT;
  return env;
}

/** The environment every process of a scale test shares: `processEnv` with production timings scaled down so a test takes seconds. */
export function sharedEnv(database: TestDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return processEnv(database, {
    LECTERN_SCHEDULER_TICK_SECONDS: '1',
    LECTERN_WORKER_HEARTBEAT_SECONDS: '0.5',
    LECTERN_WORKER_DEAD_AFTER_SECONDS: '3',
    LECTERN_RUN_LEASE_SECONDS: '4',
    LECTERN_SFTP_SETTLE_SECONDS: '0.3',
    LECTERN_JOB_CONCURRENCY: '2',
    ...extra,
  });
}

/** Customer i's users: a teacher and 2–6 students, all enrolled in its one class; sourcedIds unique to it. */
function bundleFor(i: number): { files: Record<string, string>; sourcedIds: string[] } {
  const people = [{ sourcedId: `c${i}-t`, role: 'teacher', username: `c${i}teacher` }];
  for (let s = 0; s < 2 + (i % 5); s++) people.push({ sourcedId: `c${i}-s${s}`, role: 'student', username: `c${i}student${s}` });
  const files = district11({
    'users.csv': table(
      HEADERS.users11,
      people.map((p) => ({ ...p, enabledUser: 'true', orgSourcedIds: 'org-s', givenName: p.username, familyName: `Customer${i}` })),
    ),
    'enrollments.csv': table(
      HEADERS.enrollments,
      people.map((p, n) => ({ sourcedId: `c${i}-e${n}`, classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: p.sourcedId, role: p.role })),
    ),
  });
  return { files, sourcedIds: people.map((p) => p.sourcedId).sort() };
}

/**
 * `count` Auto (hourly) customers, each with its own bundle in its own folder of the SFTP server;
 * returns customer id → the user sourcedIds its roster must end with.
 */
export async function seedSftpCustomers(ctx: AppContext, sftp: TestSftpServer, count: number, timeZone: string): Promise<Map<string, string[]>> {
  const expected = new Map<string, string[]>();
  for (let i = 0; i < count; i++) {
    const dir = path.join(sftp.root, `c${i}`);
    fs.mkdirSync(dir);
    const { files, sourcedIds } = bundleFor(i);
    fs.writeFileSync(path.join(dir, 'roster.zip'), await zipBuffer(files));
    const c = await seedCustomer(ctx, {
      profile: { timeZone },
      rostering: {
        syncFrequency: 'auto',
        period: 'hourly',
        suffix: `@c${i}`,
        sftp: { host: sftp.host, port: sftp.port, username: sftp.username, password: sftp.password, path: dir, fileName: 'roster.zip' },
      },
    });
    expected.set(c.id, sourcedIds);
  }
  return expected;
}

/** The hour comes for all of `customerIds` at once: their next slot is set a second in the past. */
export async function makeDue(ctx: AppContext, customerIds: Iterable<string>, timeZone: string): Promise<string> {
  const slot = new Date(Date.now() - 1000).toISOString();
  const basis = scheduleBasis('hourly', timeZone);
  for (const id of customerIds) {
    await ctx.db.kysely
      .insertInto('roster_schedules')
      .values({ customer_id: id, next_run_at: slot, basis, last_claimed_at: null, updated_at: slot })
      .onConflict((oc) => oc.column('customer_id').doUpdateSet({ next_run_at: slot, basis }))
      .execute();
  }
  return slot;
}

/** The active roster users' sourcedIds of a customer, sorted. */
export async function rosterOf(ctx: AppContext, customerId: string): Promise<string[]> {
  const users = await ctx.db.kysely
    .selectFrom('users')
    .select('sourced_id')
    .where('customer_id', '=', customerId)
    .where('source', '=', 'roster')
    .where('status', '=', 'active')
    .orderBy('sourced_id')
    .execute();
  return users.map((u) => u.sourced_id!);
}
