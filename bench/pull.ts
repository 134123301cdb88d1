/*
 * Benchmark of OneRoster REST pulls (`npm run bench:pull [-- --sqlite-only]`): the district of the
 * reader benchmark served by the test provider (test/helpers/oneroster-provider.ts, OAuth 1.0a
 * HMAC-SHA256, limit/offset paging with X-Total-Count) on a loopback port, pulled at page size
 * 1,000 into an empty customer, beside a ZIP import of the same bundle into another one (through
 * bench/import.ts's own child mode). The provider, each import and each pull run in child
 * processes, so every peak RSS is the importer's or the puller's own. Targets (issue 5): the pull
 * within 2× the ZIP import, peak RSS ≤ 400 MB.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { operatorActor } from '../src/accounts/policy.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { createTestDatabase, postgresSkipReason, type TestDialect } from '../test/helpers/databases.js';
import { customerBody } from '../test/helpers/factories.js';
import { restDataFromBundle, startOneRosterProvider } from '../test/helpers/oneroster-provider.js';
import { SCENARIOS, fmt, generate, printTable } from './district-bundle.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'bench-key';
const SECRET = 'Bench-api-secret-1';

interface Step {
  ms: number;
  maxRssMb: number;
  status: string;
  counts: Record<string, { created: number; updated: number; unchanged: number; deleted: number }>;
}

// Child: serves the bundle's roster until its parent closes stdin.
async function serve(file: string): Promise<void> {
  const provider = await startOneRosterProvider({ auth: { kind: 'oauth1', key: KEY, secret: SECRET }, paging: 'offset', maxLimit: 1000 });
  provider.data = await restDataFromBundle(file, provider.url);
  process.stdout.write(JSON.stringify({ url: provider.url }) + '\n');
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
  await provider.close();
}

// Child: one full pull, timed from the first request to the committed run.
async function pull(env: { url: string; dataDir: string; customerId: string }): Promise<Step> {
  // The test provider listens on loopback: the operator's allow-list admits it, as it would an on-premises SIS.
  const ctx = await createContext(loadConfig({ LECTERN_DATA_DIR: env.dataDir, DATABASE_URL: env.url, LECTERN_OUTBOUND_ALLOW: '127.0.0.1' }));
  const { pullFromApi } = await import('../src/rostering/sources/api-sync.js');
  const start = performance.now();
  const run = await pullFromApi(ctx, operatorActor, env.customerId, { full: true, client: { pageSize: 1000 } });
  const ms = performance.now() - start;
  await ctx.close();
  if (run.error) console.error(JSON.stringify(run.error));
  return { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, status: run.status, counts: run.counts };
}

function child(script: string, args: string[]): Step {
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'bench', script), ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`${script} child failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as Step;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--serve') return serve(args[1] ?? '');
  if (args[0] === '--pull') {
    process.stdout.write(JSON.stringify(await pull(JSON.parse(args[1] ?? '{}'))) + '\n');
    return;
  }
  const dialects: TestDialect[] = args.includes('--sqlite-only') || postgresSkipReason() ? ['sqlite'] : ['sqlite', 'postgres'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-pull-'));
  const district = SCENARIOS[0]!;
  const file = path.join(dir, 'district.zip');
  await generate(district, file);
  const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', file], { cwd: repo, stdio: ['pipe', 'pipe', 'inherit'] });
  const table = [['dialect', 'source', 'status', 'rows', 'wall s', 'rows/s', '× ZIP', 'peak RSS MB']];
  try {
    const first = await readline.createInterface({ input: server.stdout })[Symbol.asyncIterator]().next();
    const { url: providerUrl } = JSON.parse(String(first.value)) as { url: string };
    console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}; provider at ${providerUrl}, page size 1,000`);
    for (const dialect of dialects) {
      const db = await createTestDatabase(dialect);
      const ctx = await createContext(loadConfig({ LECTERN_DATA_DIR: db.dataDir, DATABASE_URL: db.url }));
      const zipBody = customerBody({ rostering: { suffix: `@zip-${dialect}` } });
      await ctx.customers.create(operatorActor, zipBody);
      const api = await ctx.customers.create(
        operatorActor,
        customerBody({ rostering: { suffix: `@api-${dialect}`, syncType: 'api', authorization: 'oauth1-hmac-sha256', consumerKey: KEY, secretKey: SECRET, url: providerUrl } }),
      );
      await ctx.close();
      const zip = child('import.ts', ['--child', JSON.stringify({ url: db.url, dataDir: db.dataDir, customer: zipBody.profile.code, file })]);
      console.error(`${dialect} ZIP import: ${fmt(zip.ms / 1000, 1)} s`);
      const rest = child('pull.ts', ['--pull', JSON.stringify({ url: db.url, dataDir: db.dataDir, customerId: api.id })]);
      console.error(`${dialect} REST pull: ${fmt(rest.ms / 1000, 1)} s`);
      for (const [source, step] of [
        ['ZIP import', zip],
        ['REST pull', rest],
      ] as const) {
        const rows = Object.values(step.counts).reduce((sum, c) => sum + c.created + c.updated + c.unchanged, 0);
        table.push([dialect, source, step.status, fmt(rows), fmt(step.ms / 1000, 2), fmt(rows / (step.ms / 1000)), fmt(step.ms / zip.ms, 2), fmt(step.maxRssMb)]);
      }
      await db.drop();
    }
  } finally {
    server.stdin?.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(table, [0, 1, 2]);
}

await main();
