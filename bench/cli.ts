/*
 * The `lectern` command as a user runs it (`npm run bench:cli [-- --skip-large] [--sqlite-only]`):
 * each row is whole processes of the compiled program (`node bin/lectern.js …`), best of 3 (5 for
 * the help screens), beside the C floor measured in the same run, `unzip -p BUNDLE | wc -l` (best of 3),
 * which inflates and counts the same bytes. Every row names its target and says whether it is met.
 *   help                 `lectern --help`, `lectern roster validate --help`: under 0.25 s
 *   validate             `roster validate district.zip --json`: ≤ 4× the floor, peak RSS ≤ 300 MB
 *   import, first        `roster import` into an empty customer (fresh database each time; migrating
 *                        and adding the customer are not timed): SQLite ≤ 50× the floor
 *   import, same again   the same file again (recognised by its SHA-256): ≤ 3× the floor
 *   large                validate (≤ 600 MB) and a first SQLite import (≤ 400 MB) of the 1,000,000-user bundle
 *   serve                `lectern serve` on a migrated SQLite database, from spawn to its first /api/health answer
 * The database floors (one INSERT … SELECT of the same rows) are `npm run bench:import`'s.
 * `--bundles DIR` reuses (or keeps) the generated bundles there.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, postgresSkipReason, type TestDialect } from '../test/helpers/databases.js';
import { customerBody } from '../test/helpers/factories.js';
import { SCENARIOS, fmt, generate, printTable } from './district-bundle.js';
import { freePort } from '../test/helpers/listening.js';
import { bestOf, cFloor, checked, fastest, machine, runLectern, type ProcessRun } from './processes.js';

interface Row {
  what: string;
  run: ProcessRun;
  floorMs: number;
  target: string;
  met: boolean;
}

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

// A fresh database with one OneRoster customer, through the CLI itself (untimed).
async function freshCustomer(dialect: TestDialect): Promise<{ env: Record<string, string>; code: string; drop: () => Promise<void> }> {
  const db = await createTestDatabase(dialect);
  const env = { DATABASE_URL: db.url, LECTERN_DATA_DIR: db.dataDir };
  const body = customerBody({ rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: `@bench-${dialect}` } });
  const file = path.join(db.dataDir, 'customer.json');
  fs.writeFileSync(file, JSON.stringify(body));
  for (const step of [['migrate'], ['customer', 'create', '--file', file]]) {
    const r = runLectern(step, env);
    if (r.status !== 0) throw new Error(`lectern ${step.join(' ')} failed: ${r.stderr}`);
  }
  return { env, code: body.profile.code, drop: db.drop };
}

// An import's run must have succeeded (exit 0, status succeeded in the --json document).
const imported = (r: ProcessRun) => r.status === 0 && (JSON.parse(r.stdout) as { status: string }).status === 'succeeded';

// Three fresh customers, each given the bundle twice: the first import and the same file again.
async function importRows(dialect: TestDialect, bundle: string, floorMs: number): Promise<Row[]> {
  const firsts: ProcessRun[] = [];
  const agains: ProcessRun[] = [];
  for (let i = 0; i < 3; i++) {
    const customer = await freshCustomer(dialect);
    const command = ['roster', 'import', '--customer', customer.code, bundle, '--json'];
    firsts.push(checked(runLectern(command, customer.env), imported));
    agains.push(checked(runLectern(command, customer.env), imported));
    await customer.drop();
  }
  const first = fastest(firsts);
  const again = fastest(agains);
  const bound = dialect === 'sqlite' ? 50 : null;
  return [
    { what: `import, first (${dialect})`, run: first, floorMs, target: bound ? `≤ ${bound}×` : 'reported', met: bound === null || first.ms <= bound * floorMs },
    { what: `import, same file again (${dialect})`, run: again, floorMs, target: '≤ 3×', met: again.ms <= 3 * floorMs },
  ];
}

// `lectern serve` from spawn until /api/health first answers 200, polled every 5 ms; then stopped.
async function serveStart(env: Record<string, string>): Promise<ProcessRun> {
  const port = await freePort();
  const start = performance.now();
  const child = spawn(process.execPath, ['bin/lectern.js', 'serve'], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  try {
    for (;;) {
      const answer = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null);
      if (answer?.ok) return { ms: performance.now() - start, maxRssMb: NaN, status: 0, stdout: '', stderr: '' };
      if (child.exitCode !== null) throw new Error(`lectern serve exited ${child.exitCode}`);
      if (performance.now() - start > 60_000) throw new Error('lectern serve did not answer within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const keep = option('--bundles');
  const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-cli-'));
  fs.mkdirSync(dir, { recursive: true });
  const skipLarge = args.includes('--skip-large');
  const dialects: TestDialect[] = args.includes('--sqlite-only') || postgresSkipReason() ? ['sqlite'] : ['sqlite', 'postgres'];
  const bundles: Record<string, string> = {};
  for (const s of skipLarge ? SCENARIOS.slice(0, 1) : SCENARIOS) {
    bundles[s.name] = path.join(dir, `${s.name}.zip`);
    if (!fs.existsSync(bundles[s.name] as string)) await generate(s, bundles[s.name] as string);
  }
  const district = bundles.district as string;
  const floor = cFloor(district);
  console.log(`${machine()}; C floor (unzip -p | wc -l, best of 3): ${fmt(floor.ms / 1000, 3)} s for district.zip (${fmt(floor.lines)} lines)`);

  const rows: Row[] = [];
  const ok = () => true;
  for (const help of [['--help'], ['roster', 'validate', '--help']]) {
    const run = bestOf(5, () => runLectern(help), ok);
    rows.push({ what: `lectern ${help.join(' ')}`, run, floorMs: floor.ms, target: '< 0.25 s', met: run.ms < 250 });
  }
  const served = await freshCustomer('sqlite');
  const serveRuns: ProcessRun[] = [];
  for (let i = 0; i < 3; i++) serveRuns.push(await serveStart(served.env));
  await served.drop();
  rows.push({ what: 'serve: first /api/health', run: fastest(serveRuns), floorMs: floor.ms, target: 'reported', met: true });
  const validate = bestOf(3, () => runLectern(['roster', 'validate', district, '--json']));
  rows.push({ what: 'roster validate district --json', run: validate, floorMs: floor.ms, target: '≤ 4×, ≤ 300 MB', met: validate.ms <= 4 * floor.ms && validate.maxRssMb <= 300 });
  for (const dialect of dialects) {
    rows.push(...(await importRows(dialect, district, floor.ms)));
  }
  if (!skipLarge) {
    const large = bundles.large as string;
    const largeFloor = cFloor(large);
    const v = checked(runLectern(['roster', 'validate', large, '--json']));
    rows.push({ what: 'roster validate large --json', run: v, floorMs: largeFloor.ms, target: '≤ 600 MB', met: v.maxRssMb <= 600 });
    const customer = await freshCustomer('sqlite');
    const r = checked(runLectern(['roster', 'import', '--customer', customer.code, large, '--json'], customer.env), imported);
    rows.push({ what: 'import, first, large (sqlite)', run: r, floorMs: largeFloor.ms, target: '≤ 400 MB', met: r.maxRssMb <= 400 });
    await customer.drop();
  }
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });

  const table = [['command', 'wall s', 'peak RSS MB', '× C floor', 'target', 'met']];
  for (const r of rows) table.push([r.what, fmt(r.run.ms / 1000, 3), Number.isFinite(r.run.maxRssMb) ? fmt(r.run.maxRssMb) : '', fmt(r.run.ms / r.floorMs, 2), r.target, r.met ? 'yes' : 'NO']);
  printTable(table, [0, 4]);
}

await main();
