/*
 * Benchmark of LTI 1.1 launches (`npm run bench:launch [-- --seconds 8 --connections 32]`) against
 * a real `lectern serve` on SQLite, in its own process, with request logging on as in production.
 *
 * Setup: a customer with 2,000 students from a real roster run (Match with identifier), plus 300
 * more whose launches (first and repeat) warm the server up before anything is measured. Launches are
 * signed beforehand by the independent oauth-1.0a package, each with its own nonce, so the server
 * does the whole work of a real launch: parse the form, look up the consumer and open its sealed
 * secret, verify HMAC-SHA1, claim the nonce, find the user, start a session, answer 303.
 *   trivial route       GET /api/meta/limits (the same server's floor)
 *   first launches      each student's first launch: Match with rule, then the remembered link is written
 *   repeat launches     the steady state: the remembered link first
 * The load generator is this process (keep-alive connections, a fixed number in flight); it shares
 * the machine's cores with the server, as autocannon or wrk would. The launch rate limit is lifted
 * for the run (LECTERN_LTI_RATE_LIMIT=0): every request comes from one address.
 * BENCH_PROF_DIR=/some/dir writes a V8 CPU profile of the server there.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { createTestDatabase } from '../test/helpers/databases.js';
import { formBody, launchParams, signLaunch } from '../test/helpers/lti.js';
import { freePort } from '../test/helpers/listening.js';
import { importRoster, ltiCustomer, schoolRoster } from '../test/lti/lti-server.js';
import { userRow } from '../test/helpers/roster-rows.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 32);
const STUDENTS = 2000;
// Students launched before the measured phases, so the launch path is compiled and the caches warm.
const WARM_UP_STUDENTS = 300;

interface Result {
  name: string;
  requests: number;
  ms: number;
  latencies: number[];
  unexpected: number;
}

async function main(): Promise<void> {
  const database = await createTestDatabase('sqlite');
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const env = { LECTERN_DATA_DIR: database.dataDir, DATABASE_URL: database.url, LECTERN_PUBLIC_URL: publicUrl, PORT: String(port), HOST: '127.0.0.1' };

  process.stderr.write(`Seeding ${STUDENTS} rostered students…\n`);
  const ctx = await createContext(loadConfig(env));
  const customer = await ltiCustomer(ctx, { rostering: { matchWith: 'identifier', suffix: '@bench' } });
  const ids = Array.from({ length: STUDENTS }, (_, i) => `s${i}`);
  const warmIds = Array.from({ length: WARM_UP_STUDENTS }, (_, i) => `w${i}`);
  await importRoster(ctx, customer.id, schoolRoster([...ids, ...warmIds].map((id) => userRow(id, { username: `u.${id}`, identifier: `ID-${id}`, email: `${id}@bench.example` }))));
  await ctx.close();

  const server = spawn(process.execPath, [...(process.env.BENCH_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF_DIR}`] : []), 'bin/lectern.js', 'serve'], {
    cwd: repo,
    env: { ...process.env, ...env, LECTERN_LTI_RATE_LIMIT: '0', LECTERN_BOOTSTRAP_ADMIN_EMAIL: 'bench@lectern.test', LECTERN_BOOTSTRAP_ADMIN_PASSWORD: 'Bench-password-1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForServer(port);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const launchUrl = `${publicUrl}/lti/launch`;
    const sign = (student: string) =>
      formBody(
        signLaunch({
          url: launchUrl,
          key: customer.key,
          secret: customer.secret,
          params: launchParams({ user_id: `lms-${student}`, lis_person_sourcedid: `ID-${student}`, resource_link_id: 'bench-link' }),
        }),
      );

    const results: Result[] = [];
    await load(agent, port, 'warm-up', 1, () => ({ method: 'GET', path: '/api/meta/limits' }), 200);
    const warm = [...warmIds, ...warmIds].map(sign);
    await load(agent, port, 'warm-up launches', 30, (i) => (i < warm.length ? { method: 'POST', path: '/lti/launch', body: warm[i] } : null), 303);
    results.push(await load(agent, port, 'trivial route (GET /api/meta/limits)', SECONDS, () => ({ method: 'GET', path: '/api/meta/limits' }), 200));
    const first = ids.map(sign);
    results.push(
      await load(agent, port, `first launches (${STUDENTS} students, Match with rule)`, SECONDS, (i) => (i < first.length ? { method: 'POST', path: '/lti/launch', body: first[i] } : null), 303),
    );
    process.stderr.write('Signing repeat launches…\n');
    // Enough unique launches for the whole window at well above the target rate.
    const repeat = Array.from({ length: Math.max(20_000, SECONDS * 4000) }, (_, i) => sign(ids[i % STUDENTS]!));
    results.push(await load(agent, port, 'repeat launches (remembered link)', SECONDS, (i) => (i < repeat.length ? { method: 'POST', path: '/lti/launch', body: repeat[i] } : null), 303));
    agent.destroy();
    print(results);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await database.drop();
  }
}

interface Req {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

// Keeps CONNECTIONS requests in flight until `seconds` pass or `next` runs out; records each latency.
async function load(agent: http.Agent, port: number, name: string, seconds: number, next: (i: number) => Req | null, expect: number): Promise<Result> {
  process.stderr.write(`${name}…\n`);
  const latencies: number[] = [];
  let issued = 0;
  let unexpected = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    for (;;) {
      if (performance.now() > deadline) return;
      const req = next(issued++);
      if (!req) return;
      const t0 = performance.now();
      const status = await send(agent, port, req);
      latencies.push(performance.now() - t0);
      if (status !== expect) unexpected++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { name, requests: latencies.length, ms: performance.now() - start, latencies, unexpected };
}

function send(agent: http.Agent, port: number, req: Req): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = req.body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(req.body) } : {};
    const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

function print(results: Result[]): void {
  const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const rows = results.map((r) => {
    const sorted = [...r.latencies].sort((a, b) => a - b);
    return [r.name, String(r.requests), ((r.requests / r.ms) * 1000).toFixed(0), pct(sorted, 50).toFixed(1), pct(sorted, 99).toFixed(1), (sorted.at(-1) ?? 0).toFixed(1), String(r.unexpected)];
  });
  const header = ['', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'unexpected status'];
  console.log(`\nLTI launch benchmark: SQLite, ${CONNECTIONS} connections, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

async function waitForServer(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/api/meta/limits' }, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server did not start within 30 s');
}

await main();
