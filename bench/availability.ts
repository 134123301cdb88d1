/*
 * Availability during a roster import (`npm run bench:availability [-- --sqlite-only] [--users N]`):
 * a real `lectern serve` per dialect on a fresh database; the district (100,000 users, 400,000
 * enrollments; `--users N` scales it) is uploaded through the HTTP API, so it takes the production
 * path (upload → `roster.run` job → run), while `/api/health` is asked every 20 ms, open-loop. Prints,
 * per dialect, the import's wall time and health latency while idle and during the import.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { operatorActor } from '../src/accounts/policy.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { seedCustomer } from '../test/helpers/app.js';
import { createTestDatabase, postgresSkipReason, type TestDialect } from '../test/helpers/databases.js';
import { measureImport, scaledDistrict } from '../test/scale/availability-probe.js';
import { SCENARIOS, fmt, generate, printTable } from './district-bundle.js';

/** What the roster thread costs: its first task (start, load the app, open a connection) and a warm round trip. */
async function threadCost(): Promise<{ startMs: number; roundTripMs: number }> {
  const db = await createTestDatabase('sqlite');
  const ctx = await createContext(loadConfig({ LECTERN_DATA_DIR: db.dataDir, DATABASE_URL: db.url }));
  try {
    const { id } = await seedCustomer(ctx);
    // Approving a run that does not exist is answered by the thread with NOT_FOUND: a task that does no work.
    const ask = async () => {
      const start = performance.now();
      await ctx.runs.approve(operatorActor, id, crypto.randomUUID()).catch(() => undefined);
      return performance.now() - start;
    };
    const startMs = await ask();
    return { startMs, roundTripMs: await ask() };
  } finally {
    await ctx.close();
    await db.drop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--users');
  const users = at >= 0 ? Number(args[at + 1]) : SCENARIOS[0]!.users;
  if (!Number.isInteger(users) || users < 100) throw new Error('--users must be a whole number from 100');
  const dialects: TestDialect[] = args.includes('--sqlite-only') || postgresSkipReason() ? ['sqlite'] : ['sqlite', 'postgres'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-availability-'));
  const district = scaledDistrict(users);
  const bundle = path.join(dir, `${district.name}.zip`);
  await generate(district, bundle);
  console.log(
    `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(1)}; ${fmt(district.users)} users, ${fmt(district.enrollments)} enrollments`,
  );
  const ms = (n: number) => fmt(n, 0);
  const cost = await threadCost();
  console.log(`roster thread (SQLite): first task ${ms(cost.startMs)} ms (start, load, connect), then ${fmt(cost.roundTripMs, 1)} ms a task`);
  const table = [['dialect', 'users', 'run', 'import wall s', 'health requests', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'idle p99 ms', 'writes', 'write p99 ms', 'write max ms', 'writes failed']];
  try {
    for (const dialect of dialects) {
      const r = await measureImport({ dialect, bundle });
      console.error(`${dialect}: ${r.run.status} in ${fmt(r.importMs / 1000, 1)} s, health p99 ${ms(r.during.p99)} ms`);
      if (r.run.error) console.error(`  ${r.run.error.code}: ${r.run.error.message}`);
      table.push([
        dialect,
        fmt(users),
        r.run.status,
        fmt(r.importMs / 1000, 1),
        fmt(r.during.requests),
        ms(r.during.p50),
        ms(r.during.p95),
        ms(r.during.p99),
        ms(r.during.max),
        ms(r.idle.p99),
        fmt(r.writes.requests),
        ms(r.writes.p99),
        ms(r.writes.max),
        fmt(r.writes.failed),
      ]);
      if (r.writes.failed) console.error(`  a write failed: ${r.writes.firstFailure.slice(0, 300)}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(table, [0, 2]);
}

await main();
