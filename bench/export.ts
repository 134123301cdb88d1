/*
 * The customer data export as an operator runs it (`npm run bench:export [-- --postgres] [--runs N]`):
 * `lectern customer export --customer CODE OUT.zip --json`, a whole process (bench/processes.ts: spawn
 * to exit, peak RSS), best of N (1) runs, for a customer of 10,000 and one of 100,000 students, on
 * SQLite, and on PostgreSQL too with `--postgres` or LECTERN_TEST_PG_URL set. Each customer is made
 * untimed on a fresh database: the synthetic district of bench/district-bundle.ts imported with
 * `lectern roster import` (1.1, 6 % teachers; 4 enrollments a student), then one uploaded title
 * (1 MiB) assigned to every class, with reading progress for every fifth student. The target: under
 * 60 s for 100,000 students, and a peak RSS that does not grow with the customer. `--large` adds a
 * customer of 300,000 students (SQLite only: its import takes a minute) to show where the peak levels off.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/connection.js';
import { createTestDatabase, type TestDialect } from '../test/helpers/databases.js';
import { customerBody } from '../test/helpers/factories.js';
import { fmt, generate, printTable, type Scenario } from './district-bundle.js';
import { checked, fastest, machine, runLectern, type ProcessRun } from './processes.js';

const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 1);
const dialects: TestDialect[] = args.includes('--postgres') || process.env.LECTERN_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

// 6 % of a scenario's users are teachers: these give 10,000 and 100,000 students.
const SIZES: Scenario[] = [
  { name: '10k', users: 10_638, classes: 400, enrollments: 40_000, schools: 6, courses: 40 },
  { name: '100k', users: 106_383, classes: 4_000, enrollments: 400_000, schools: 59, courses: 400 },
];
const LARGE: Scenario = { name: '300k', users: 319_149, classes: 12_000, enrollments: 1_200_000, schools: 150, courses: 1_000 };

interface Exported {
  bytes: number;
  files: { path: string; rows?: number }[];
}

/** A fresh database with the scenario's customer, roster, title, assignments and progress (untimed). */
async function seeded(dialect: TestDialect, s: Scenario, bundle: string) {
  const db = await createTestDatabase(dialect);
  const env = { DATABASE_URL: db.url, LECTERN_DATA_DIR: db.dataDir };
  const body = customerBody({ rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: `@export-${s.name}` } });
  const file = path.join(db.dataDir, 'customer.json');
  fs.writeFileSync(file, JSON.stringify(body));
  checked(runLectern(['customer', 'create', '--file', file], env));
  checked(runLectern(['roster', 'import', '--customer', body.profile.code, bundle], env));
  const conn = openDatabase(db.url);
  try {
    const k = conn.kysely;
    const customerId = (await k.selectFrom('customers').select('id').where('code', '=', body.profile.code).executeTakeFirstOrThrow()).id;
    const bookId = crypto.randomUUID();
    const now = new Date().toISOString();
    const bytes = crypto.randomBytes(1 << 20);
    fs.mkdirSync(path.join(db.dataDir, 'content', customerId), { recursive: true });
    fs.writeFileSync(path.join(db.dataDir, 'content', customerId, `${bookId}.pdf`), bytes);
    await k
      .insertInto('books')
      .values({
        id: bookId,
        customer_id: customerId,
        title: 'Bench title',
        author: 'A. Author',
        format: 'pdf',
        file_key: `${bookId}.pdf`,
        size_bytes: bytes.length,
        sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
        cover_key: null,
        cover_type: null,
        created_by: null,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .execute();
    await sql`insert into assignments (id, customer_id, book_id, target_type, target_id, assigned_by, created_at)
      select gen_random_uuid(), customer_id, ${bookId}, 'class', id, null, ${now} from classes where customer_id = ${customerId}`.execute(k);
    await sql`insert into reading_progress (customer_id, user_id, book_id, position, progress, updated_at)
      select customer_id, id, ${bookId}, '12', 0.25, ${now} from users
      where customer_id = ${customerId} and role = 'student' and cast(identifier as integer) % 5 = 0`.execute(k);
  } finally {
    await conn.close();
  }
  return { env, code: body.profile.code, dataDir: db.dataDir, drop: db.drop };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-export-'));
  console.log(`Customer export: \`lectern customer export\`, best of ${runs}; ${machine()}`);
  const table = [['database', 'students', 'rows', 'zip MB', 'seconds', 'peak RSS MB']];
  try {
    for (const s of args.includes('--large') ? [...SIZES, LARGE] : SIZES) {
      const bundle = path.join(dir, `${s.name}.zip`);
      await generate(s, bundle);
      for (const dialect of s === LARGE ? (['sqlite'] as const) : dialects) {
        const customer = await seeded(dialect, s, bundle);
        try {
          const out = path.join(customer.dataDir, 'export.zip');
          const run: ProcessRun = fastest(Array.from({ length: runs }, () => checked(runLectern(['customer', 'export', '--customer', customer.code, out, '--json'], customer.env))));
          const exported = JSON.parse(run.stdout) as Exported;
          const rows = exported.files.reduce((sum, f) => sum + (f.rows ?? 0), 0);
          const students = Math.round(s.users - Math.max(1, Math.round(s.users * 0.06)));
          table.push([dialect, fmt(students), fmt(rows), fmt(exported.bytes / 1048576, 1), fmt(run.ms / 1000, 1), fmt(run.maxRssMb)]);
        } finally {
          await customer.drop();
        }
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(table);
}

await main();
