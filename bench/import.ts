/*
 * Roster imports as a user runs them (`npm run bench:import [-- --sqlite-only | --postgres-only]
 * [--runs N] [--bundles DIR] [--large]`): every step is a whole `node bin/lectern.js roster import …`
 * process (bench/processes.ts: spawn to exit, peak RSS), best of N (3) fresh databases, beside two
 * floors measured in the same run:
 *   C floor        `unzip -p BUNDLE | wc -l`, best of 3: inflate and count the same bytes
 *   database floor the cheapest way to write the first import's rows into the same tables and
 *                  indexes: one INSERT … SELECT per table (orgs … enrollments) copying them to another
 *                  customer, in one transaction, timed with its commit (no reading, no planning)
 * Steps, on each fresh database (migrating and adding the customers are not timed):
 *   first              the district into an empty customer
 *   unchanged          the same file again: recognised by its SHA-256, not read
 *   unchanged, forced  the same file read and planned anyway (`--force`): zero changes
 *   1% churn           the district with 1 % of users changed and 1 % removed
 * `--large`: only the first import of the 1,000,000-user bundle, on SQLite (time and peak RSS; the
 * bound is 400 MB). `--bundles DIR` reuses (or keeps) the generated bundles there. No passwords in the
 * bundles: hashing is argon2id's time, see the README.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../src/db/connection.js';
import type { Database } from '../src/db/schema.js';
import { ENTITY_TABLES } from '../src/rostering/sync/entities.js';
import { createTestDatabase, postgresSkipReason, type TestDialect } from '../test/helpers/databases.js';
import { customerBody } from '../test/helpers/factories.js';
import { SCENARIOS, fmt, generate, printTable } from './district-bundle.js';
import { cFloor, checked, fastest, machine, runLectern, type ProcessRun } from './processes.js';

type Counts = Record<string, { created: number; updated: number; unchanged: number; deleted: number }>;

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

/** A fresh database with the importing customer and the database floor's target, both through the CLI (untimed). */
async function freshDatabase(dialect: TestDialect): Promise<{ env: Record<string, string>; url: string; code: string; floorCode: string; drop: () => Promise<void> }> {
  const db = await createTestDatabase(dialect);
  const env = { DATABASE_URL: db.url, LECTERN_DATA_DIR: db.dataDir };
  const add = (body: ReturnType<typeof customerBody>) => {
    const file = path.join(db.dataDir, `${body.profile.code}.json`);
    fs.writeFileSync(file, JSON.stringify(body));
    checked(runLectern(['customer', 'create', '--file', file], env));
    return body.profile.code;
  };
  checked(runLectern(['migrate'], env));
  const code = add(customerBody({ rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: `@bench-${dialect}` } }));
  const floorCode = add(customerBody({ rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: `@floor-${dialect}` } }));
  return { env, url: db.url, code, floorCode, drop: db.drop };
}

/**
 * The database floor: copies one customer's roster records to another with one INSERT … SELECT per
 * table in one transaction, timed with its commit; the copy is removed afterwards. Keys that are
 * unique across customers (ids, login names) get a suffix.
 */
async function databaseFloor(db: Kysely<Database>, fromCode: string, toCode: string): Promise<number> {
  const id = async (code: string) => (await db.selectFrom('customers').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
  const [from, to] = [await id(fromCode), await id(toCode)];
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
  await db.transaction().execute(async (trx) => {
    for (const t of [...ENTITY_TABLES].reverse()) await sql`delete from ${sql.table(t.live)} where customer_id = ${to}`.execute(trx);
  });
  return ms;
}

interface Step {
  name: string;
  file: string;
  force: boolean;
}

/** A step's measurement: the fastest process, the run it reported. */
interface Measured {
  run: ProcessRun;
  status: string;
  counts: Counts;
}

function importStep(env: Record<string, string>, code: string, step: Step): Measured {
  const command = ['roster', 'import', '--customer', code, step.file, '--json', ...(step.force ? ['--force'] : [])];
  const run = checked(runLectern(command, env));
  const out = JSON.parse(run.stdout) as { status: string; counts: Counts };
  if (!out.status.startsWith('succeeded')) throw new Error(`${step.name}: the run ended ${out.status}`);
  return { run, status: out.status, counts: out.counts };
}

async function main(): Promise<void> {
  const runs = Number(option('--runs') ?? 3);
  const large = args.includes('--large');
  const keep = option('--bundles');
  const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-import-'));
  fs.mkdirSync(dir, { recursive: true });
  const district = SCENARIOS[large ? 1 : 0]!;
  const base = path.join(dir, `${district.name}.zip`);
  const churn = path.join(dir, `${district.name}-changed.zip`);
  if (!fs.existsSync(base)) await generate(district, base);
  if (!large && !fs.existsSync(churn)) await generate(district, churn, { changeEvery: 100, removeEvery: 100 });
  const dialects: TestDialect[] = large || args.includes('--sqlite-only') || postgresSkipReason() ? ['sqlite'] : args.includes('--postgres-only') ? ['postgres'] : ['sqlite', 'postgres'];
  const floor = cFloor(base);
  console.log(`${machine()}; C floor (unzip -p | wc -l, best of 3): ${fmt(floor.ms / 1000, 3)} s for ${path.basename(base)} (${fmt(floor.lines)} lines); best of ${runs} fresh databases`);
  const steps: Step[] = large
    ? [{ name: 'first', file: base, force: false }]
    : [
        { name: 'first', file: base, force: false },
        { name: 'unchanged', file: base, force: false },
        { name: 'unchanged, forced', file: base, force: true },
        { name: '1% churn', file: churn, force: false },
      ];
  const table = [['dialect', 'step', 'status', 'users +/~/-', 'enrollments +/~/-', 'wall s', '× C floor', '× DB floor', 'peak RSS MB']];
  try {
    for (const dialect of dialects) {
      const measured = new Map<string, Measured[]>(steps.map((s) => [s.name, []]));
      const floors: number[] = [];
      for (let i = 0; i < runs; i++) {
        const db = await freshDatabase(dialect);
        try {
          for (const step of steps) {
            const m = importStep(db.env, db.code, step);
            measured.get(step.name)!.push(m);
            console.error(`${dialect} ${step.name} #${i + 1}: ${fmt(m.run.ms / 1000, 2)} s, ${fmt(m.run.maxRssMb)} MB`);
            if (step.name === 'first' && !large) {
              const conn = openDatabase(db.url);
              try {
                floors.push(await databaseFloor(conn.kysely, db.code, db.floorCode));
              } finally {
                await conn.close();
              }
              console.error(`${dialect} database floor #${i + 1}: ${fmt(floors.at(-1)! / 1000, 2)} s`);
            }
          }
        } finally {
          await db.drop();
        }
      }
      const dbFloor = floors.length ? Math.min(...floors) : NaN;
      const ratio = (ms: number) => (Number.isFinite(dbFloor) ? fmt(ms / dbFloor, 2) : '');
      for (const step of steps) {
        const all = measured.get(step.name)!;
        const best = fastest(all.map((m) => m.run));
        const m = all.find((x) => x.run.ms === best.ms)!;
        const c = (k: string) => m.counts[k] ?? { created: 0, updated: 0, deleted: 0 };
        const changes = (k: string) => `${fmt(c(k).created)}/${fmt(c(k).updated)}/${fmt(c(k).deleted)}`;
        table.push([dialect, step.name, m.status, changes('users'), changes('enrollments'), fmt(best.ms / 1000, 2), fmt(best.ms / floor.ms, 1), ratio(best.ms), fmt(best.maxRssMb)]);
        if (step.name === 'first' && Number.isFinite(dbFloor)) {
          table.push([dialect, 'database floor: INSERT … SELECT the same rows', '', '', '', fmt(dbFloor / 1000, 2), fmt(dbFloor / floor.ms, 1), '1.00', '']);
        }
      }
    }
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(table, [0, 1, 2]);
}

await main();
