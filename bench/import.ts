/*
 * Benchmark of roster imports (`npm run bench:import [-- --sqlite-only]`), on the district of the
 * reader benchmark, on SQLite and PostgreSQL. Each step runs `lectern roster import` in a fresh
 * child process (so its peak RSS is its own), against one database per dialect:
 *   first      the district into an empty customer
 *   unchanged  the same bundle again: recognised by its SHA-256 (nothing changed since), not read
 *   unchanged, forced  the same bundle read and planned anyway (`--force`): zero changes
 *   1% churn   the district with 1 % of users changed and 1 % removed
 * beside the floor (inflate the same entries and count their lines), and a second floor, the
 * database's own: the time to copy the first import's orgs … enrollments into another customer with
 * one INSERT … SELECT per table in one transaction (no reading, no planning: the cheapest way to
 * write those rows into the same tables and indexes). `--large`: only the first import
 * of the 1,000,000-user bundle, on SQLite. No passwords in the bundle;
 * hashing throughput is a property of argon2id and the cores, see the note in the README.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { operatorActor } from '../src/accounts/policy.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import type { Database } from '../src/db/schema.js';
import { ENTITY_TABLES } from '../src/rostering/sync/entities.js';
import { createTestDatabase, postgresSkipReason, type TestDialect } from '../test/helpers/databases.js';
import { customerBody } from '../test/helpers/factories.js';
import { SCENARIOS, floor, fmt, generate, printTable } from './district-bundle.js';

interface Step {
  ms: number;
  maxRssMb: number;
  status: string;
  counts: Record<string, { created: number; updated: number; unchanged: number; deleted: number }>;
}

interface StepEnv {
  url: string;
  dataDir: string;
  customer: string;
  file: string;
  force: boolean;
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// One import in this child process: the CLI's own code path, timed from bundle to committed run.
async function child(env: StepEnv): Promise<Step> {
  const ctx = await createContext(loadConfig({ LECTERN_DATA_DIR: env.dataDir, DATABASE_URL: env.url }));
  const { importBundle } = await import('../src/cli/commands/roster-import.js');
  const start = performance.now();
  const write = process.stdout.write.bind(process.stdout);
  let json = '';
  process.stdout.write = ((chunk: string) => ((json += chunk), true)) as typeof process.stdout.write;
  await importBundle(ctx, { customer: env.customer, file: env.file, dryRun: false, json: true, force: env.force });
  process.stdout.write = write;
  const ms = performance.now() - start;
  await ctx.close();
  const run = JSON.parse(json) as { status: string; counts: Step['counts'] };
  return { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, status: run.status, counts: run.counts };
}

/**
 * The database floor: copies one customer's roster records to another with one INSERT … SELECT per
 * table, timed with its commit; the copy is removed afterwards. Keys that are unique across
 * customers (ids, login names) get a suffix.
 */
async function databaseFloor(db: Kysely<Database>, from: string, to: string): Promise<number> {
  const start = performance.now();
  await db.transaction().execute(async (trx) => {
    for (const t of ENTITY_TABLES) {
      const one = await sql<Record<string, unknown>>`select * from ${sql.table(t.live)} limit 1`.execute(trx);
      const columns = Object.keys(one.rows[0] ?? {});
      const values = columns.map((c) => (c === 'customer_id' ? sql`${to}` : c === 'id' || c === 'login' ? sql`${sql.ref(c)} || '.copy'` : sql.ref(c)));
      await sql`insert into ${sql.table(t.live)} (${sql.join(columns.map((c) => sql.ref(c)))}) select ${sql.join(values)} from ${sql.table(t.live)} where customer_id = ${from}`.execute(trx);
    }
  });
  const ms = performance.now() - start;
  for (const t of [...ENTITY_TABLES].reverse()) await sql`delete from ${sql.table(t.live)} where customer_id = ${to}`.execute(db);
  return ms;
}

function runStep(env: StepEnv): Step {
  const out = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify(env)], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`import child failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as Step;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    process.stdout.write(JSON.stringify(await child(JSON.parse(args[1] ?? '{}'))) + '\n');
    return;
  }
  // --large: the first import of the 1,000,000-user bundle on SQLite only (the memory bound holds there too).
  const large = args.includes('--large');
  const dialects: TestDialect[] = large || args.includes('--sqlite-only') || postgresSkipReason() ? ['sqlite'] : ['sqlite', 'postgres'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-import-'));
  const district = SCENARIOS[large ? 1 : 0]!;
  const base = path.join(dir, `${district.name}.zip`);
  const churn = path.join(dir, `${district.name}-churn.zip`);
  await generate(district, base);
  if (!large) await generate(district, churn, { changeEvery: 100, removeEvery: 100 });
  const f = await floor(base);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}; floor ${fmt(f.ms / 1000, 2)} s for ${fmt(f.rows)} rows`);
  const table = [['dialect', 'step', 'status', 'users +/~/-', 'enrollments +/~/-', 'wall s', '× floor', 'peak RSS MB']];
  try {
    for (const dialect of dialects) {
      const db = await createTestDatabase(dialect);
      const ctx = await createContext(loadConfig({ LECTERN_DATA_DIR: db.dataDir, DATABASE_URL: db.url }));
      const body = customerBody({ rostering: { suffix: `@bench-${dialect}` } });
      await ctx.customers.create(operatorActor, body);
      await ctx.close();
      const steps = large
        ? ([['first', base, false]] as const)
        : ([
            ['first', base, false],
            ['unchanged', base, false],
            ['unchanged, forced', base, true],
            ['1% churn', churn, false],
          ] as const);
      for (const [step, file, force] of steps) {
        const r = runStep({ url: db.url, dataDir: db.dataDir, customer: body.profile.code, file, force });
        const c = (k: string) => r.counts[k] ?? { created: 0, updated: 0, deleted: 0 };
        table.push([
          dialect,
          step,
          r.status,
          `${fmt(c('users').created)}/${fmt(c('users').updated)}/${fmt(c('users').deleted)}`,
          `${fmt(c('enrollments').created)}/${fmt(c('enrollments').updated)}/${fmt(c('enrollments').deleted)}`,
          fmt(r.ms / 1000, 2),
          fmt(r.ms / f.ms, 1),
          fmt(r.maxRssMb),
        ]);
        console.error(`${dialect} ${step}: ${fmt(r.ms / 1000, 1)} s`);
        if (step === 'first' && !large) {
          const c2 = await createContext(loadConfig({ LECTERN_DATA_DIR: db.dataDir, DATABASE_URL: db.url }));
          const copy = await c2.customers.create(operatorActor, customerBody());
          const from = await c2.db.kysely.selectFrom('customers').select('id').where('code', '=', body.profile.code).executeTakeFirstOrThrow();
          const ms = await databaseFloor(c2.db.kysely, from.id, copy.id);
          await c2.close();
          table.push([dialect, 'database floor: copy the same rows', '', '', '', fmt(ms / 1000, 2), fmt(ms / f.ms, 1), '']);
          console.error(`${dialect} database floor: ${fmt(ms / 1000, 1)} s`);
        }
      }
      await db.drop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(table, [0, 1, 2]);
}

await main();
