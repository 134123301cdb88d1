/*
 * Benchmark of login cards (`npm run bench:cards [-- N]`, a class of N students, default 1,000), on
 * SQLite, through the service as the route calls it. For each mode: time to the PDF's first byte
 * (first-use passwords: every argon2id hash and the one transaction come first), time to its last,
 * its size and pages, and the peak resident set above the level before printing (sampled every 10 ms
 * while the PDF is read and thrown away, as a download would be).
 */
import { operatorActor } from '../src/accounts/policy.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { zipSource } from '../src/rostering/runs/zip-source.js';
import { createTestDatabase } from '../test/helpers/databases.js';
import { HEADERS, table, writeBundle } from '../test/helpers/bundles.js';
import { customerBody } from '../test/helpers/factories.js';
import { fmt, printTable } from './district-bundle.js';

const n = Number(process.argv[2] ?? 1000);
const mb = (bytes: number) => fmt(bytes / 1024 / 1024, 1);

async function main(): Promise<void> {
  const students = Array.from({ length: n }, (_, i) => i);
  const bundle = await writeBundle({
    'orgs.csv': table(HEADERS.orgs, [{ sourcedId: 'org-1', name: 'Bench High', type: 'school' }]),
    'academicSessions.csv': table(HEADERS.academicSessions, [{ sourcedId: 'as-y', title: '2024-25', type: 'schoolYear', startDate: '2024-08-01', endDate: '2025-07-01', schoolYear: 2025 }]),
    'courses.csv': table(HEADERS.courses, [{ sourcedId: 'c-1', schoolYearSourcedId: 'as-y', title: 'Reading', orgSourcedId: 'org-1' }]),
    'classes.csv': table(HEADERS.classes, [{ sourcedId: 'cl-1', title: 'Everyone', courseSourcedId: 'c-1', classType: 'homeroom', schoolSourcedId: 'org-1', termSourcedIds: 'as-y' }]),
    'users.csv': table(
      HEADERS.users11,
      students.map((i) => ({ sourcedId: `u${i}`, enabledUser: 'true', orgSourcedIds: 'org-1', role: 'student', username: `student${i}`, givenName: 'Student', familyName: `Number ${i}` })),
    ),
    'enrollments.csv': table(
      HEADERS.enrollments,
      students.map((i) => ({ sourcedId: `e${i}`, classSourcedId: 'cl-1', schoolSourcedId: 'org-1', userSourcedId: `u${i}`, role: 'student' })),
    ),
  });
  const db = await createTestDatabase('sqlite');
  const ctx = await createContext(loadConfig({ LECTERN_DATA_DIR: db.dataDir, DATABASE_URL: db.url, LECTERN_PUBLIC_URL: 'https://lectern.bench.example' }));
  try {
    const { id } = await ctx.customers.create(operatorActor, customerBody({ rostering: { suffix: '@bench-cards' } }));
    const run = await ctx.runs.create(operatorActor, id, { trigger: 'cli', fileName: 'cards.zip', sizeBytes: 0, sha256: '', bundlePath: bundle, dryRun: false });
    await ctx.runs.execute(run.runId, id, zipSource(bundle));
    const classId = (await ctx.db.kysely.selectFrom('classes').select('id').where('customer_id', '=', id).executeTakeFirstOrThrow()).id;
    const rows = [['mode', 'cards', 'first byte s', 'last byte s', 'PDF MB', 'pages', 'RSS before MB', 'peak RSS MB', 'peak above before MB']];
    for (const mode of ['qr', 'password'] as const) {
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
      const t0 = performance.now();
      const { count, pdf } = await ctx.loginCards.print(operatorActor, id, { classId, mode, pageSize: 'letter' });
      let first = 0;
      let bytes = 0;
      let pages = 0;
      for await (const chunk of pdf) {
        if (!bytes) first = performance.now() - t0;
        bytes += (chunk as Buffer).length;
        pages += ((chunk as Buffer).toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
      }
      const last = performance.now() - t0;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      rows.push([mode, fmt(count), fmt(first / 1000, 2), fmt(last / 1000, 2), mb(bytes), fmt(pages), mb(before), mb(peak), mb(peak - before)]);
    }
    printTable(rows);
  } finally {
    await ctx.close();
    await db.drop();
  }
}

await main();
