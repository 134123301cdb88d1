/*
 * Benchmark of LTI launches (`npm run bench:launch [-- --seconds 8 --connections 32 --dialects
 * sqlite,postgres --lti 1.1,1.3 --server DIR]`) against a real `lectern serve`, in its own process,
 * with request logging on as in production; one table per dialect (PostgreSQL on LECTERN_TEST_PG_URL,
 * skipped when it is not reachable). `--server DIR` serves another build (a directory with bin/,
 * dist/ and node_modules/: say, HEAD from `git archive`) against the same setup, to compare changes.
 *
 * Setup: a customer (LTI 1.1 and 1.3) with 2,000 students from a real roster run (Match with
 * identifier), plus 300 more whose launches (first and repeat, both versions) warm the server up
 * before anything is measured.
 *
 * LTI 1.1: launches are signed beforehand by the independent oauth-1.0a package, each with its own
 * nonce, so the server does the whole work of a real launch: parse the form, look up the consumer and
 * open its sealed secret, verify HMAC-SHA1, claim the nonce, find the user, start a session, answer 303.
 *   trivial route       GET /api/meta/limits (the same server's floor)
 *   first launches      each student's first launch: Match with rule, then the remembered link is written
 *   repeat launches     the steady state: the remembered link first
 *
 * LTI 1.3: the platform is the test LMS (test/helpers/lti13-platform.ts), running in this process; it
 * serves its JWKS (Cache-Control max-age=300, so after the warm-up the server verifies from its cache)
 * and signs the id_tokens (RS256, 2048 bits). A browser's launch is two requests to Lectern with the
 * platform's signing between them: `POST /lti/1.3/login` (302; the state and nonce are read from the
 * Location) and `POST /lti/1.3/launch` (id_token for that nonce, and the state; 303 into the reader).
 * Signing is the LMS's work, not Lectern's, and costs this process about 0.35 ms of CPU a token, so:
 *   1.3 login           logins alone; their states and nonces are kept
 *   1.3 first launches  each student's first launch, the id_tokens signed beforehand for logins made
 *                       (unmeasured) just before: Match with rule, then the remembered link is written
 *   1.3 repeat launches launches alone, id_tokens signed beforehand for the measured logins
 *   1.3 repeat pairs    the whole browser flow per connection: login, sign, launch. A pair's latency is
 *                       the server's two answers (login + launch), never the signing between them; its
 *                       rate is pairs per wall-clock second, so it includes this process signing on
 *                       the cores the server uses (a real LMS signs on its own machine)
 * A 1.3 launch counts as expected only when it answers 303 into /reader (a refusal after verification
 * is a 303 too, back to the LMS).
 *
 * The load generator is this process (keep-alive connections, a fixed number in flight); it shares
 * the machine's cores with the server, as autocannon or wrk would. The launch rate limit is lifted
 * for the run (LECTERN_LTI_RATE_LIMIT=0): every request comes from one address.
 * BENCH_PROF_DIR=/some/dir writes a V8 CPU profile of the server there.
 *
 * Each row also gives the server process's CPU time per exchange (user + system, from /proc; Linux
 * only, else blank): on a machine shared with other work the rate and latencies move with the
 * neighbours' load, the CPU a launch costs the server much less, so compare builds by it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { createTestDatabase, postgresSkipReason, type TestDialect } from '../test/helpers/databases.js';
import { formBody, launchParams, signLaunch } from '../test/helpers/lti.js';
import { Lti13Platform, ROLES, type Member } from '../test/helpers/lti13-platform.js';
import { freePort } from '../test/helpers/listening.js';
import { importRoster, ltiCustomer, schoolRoster } from '../test/lti/lti-server.js';
import { userRow } from '../test/helpers/roster-rows.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argText = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const arg = (name: string, fallback: number) => Number(argText(name, String(fallback)));
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 32);
const DIALECTS = argText('dialects', 'sqlite,postgres').split(',') as TestDialect[];
const VERSIONS = argText('lti', '1.1,1.3').split(',');
// Another build to serve (a directory with bin/, dist/ and node_modules/), to compare it with this one.
const SERVER_DIR = path.resolve(argText('server', repo));
const STUDENTS = 2000;
// Students launched before the measured phases, so the launch path is compiled and the caches warm.
const WARM_UP_STUDENTS = 300;
// Enough unique launches for a whole window at well above the target rate.
const REPEATS = Math.max(20_000, SECONDS * 4000);

interface Result {
  name: string;
  requests: number;
  ms: number;
  latencies: number[];
  unexpected: number;
  /** The server's CPU time over the phase, ms; null where /proc cannot tell. */
  serverCpuMs: number | null;
}

// The served process, whose CPU time each phase reads (see the header).
let serverPid = 0;

// User + system CPU time of the server so far, ms (fields 14 and 15 of /proc/<pid>/stat, in ticks of
// 10 ms on Linux); null when unreadable.
function serverCpuMs(): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** One timed exchange: its latency (server time only) and whether the answer was the expected one. */
interface Sample {
  ms: number;
  ok: boolean;
}

interface Answer {
  status: number;
  location: string;
}

async function main(): Promise<void> {
  const tables: { dialect: TestDialect; results: Result[]; notes: string[] }[] = [];
  for (const dialect of DIALECTS) {
    if (dialect === 'postgres' && postgresSkipReason()) continue;
    tables.push({ dialect, ...(await benchDialect(dialect)) });
  }
  for (const { dialect, results, notes } of tables) print(dialect, results, notes);
}

async function benchDialect(dialect: TestDialect): Promise<{ results: Result[]; notes: string[] }> {
  const database = await createTestDatabase(dialect);
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const launchUrl13 = `${publicUrl}/lti/1.3/launch`;
  // The test LMS listens on loopback over http, which only the allow-list lets Lectern call.
  const env = { LECTERN_DATA_DIR: database.dataDir, DATABASE_URL: database.url, LECTERN_PUBLIC_URL: publicUrl, PORT: String(port), HOST: '127.0.0.1', LECTERN_OUTBOUND_ALLOW: '127.0.0.1' };
  const ids = Array.from({ length: STUDENTS }, (_, i) => `s${i}`);
  const warmIds = Array.from({ length: WARM_UP_STUDENTS }, (_, i) => `w${i}`);
  const lms = await Lti13Platform.start({ toolTargetLinkUri: launchUrl13, toolRedirectUris: [launchUrl13], members: [...ids, ...warmIds].map(member) });

  process.stderr.write(`${dialect}: seeding ${STUDENTS} rostered students…\n`);
  const ctx = await createContext(loadConfig(env));
  const platform = { issuer: lms.issuer, clientId: lms.clientId, deploymentIds: [lms.deploymentId], authLoginUrl: lms.authLoginUrl, authTokenUrl: lms.authTokenUrl, jwksUrl: lms.jwksUrl };
  const customer = await ltiCustomer(ctx, { rostering: { matchWith: 'identifier', suffix: '@bench' }, lti: { version: 'both', platforms: [platform] } as never });
  await importRoster(ctx, customer.id, schoolRoster([...ids, ...warmIds].map((id) => userRow(id, { username: `u.${id}`, identifier: `ID-${id}`, email: `${id}@bench.example` }))));
  await ctx.close();

  const server = spawn(process.execPath, [...(process.env.BENCH_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF_DIR}`] : []), 'bin/lectern.js', 'serve'], {
    cwd: SERVER_DIR,
    env: { ...process.env, ...env, LECTERN_LTI_RATE_LIMIT: '0', LECTERN_BOOTSTRAP_ADMIN_EMAIL: 'bench@lectern.test', LECTERN_BOOTSTRAP_ADMIN_PASSWORD: 'Bench-password-1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  serverPid = server.pid ?? 0;
  try {
    await waitForServer(port, server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const h: Harness = { publicUrl, lms, customer, ids, warmIds, get: (path) => send(agent, port, { method: 'GET', path }), post: (path, body) => send(agent, port, { method: 'POST', path, body }) };
    const results: Result[] = [];
    await load('warm-up', 1, () => timed(() => h.get('/api/meta/limits'), status(200)));
    results.push(await load('trivial route (GET /api/meta/limits)', SECONDS, () => timed(() => h.get('/api/meta/limits'), status(200))));
    if (VERSIONS.includes('1.1')) results.push(...(await bench11(h)));
    if (VERSIONS.includes('1.3')) results.push(...(await bench13(h)));
    agent.destroy();
    // The cache in src/lti13/platform-keys.ts at work: the server fetched the platform's keys this often.
    const notes = VERSIONS.includes('1.3') ? [`The test LMS served its JWKS ${lms.jwksFetches} time(s) in the whole run.`] : [];
    return { results, notes };
  } finally {
    // A server that already exited (it failed to start) emits no second 'exit'.
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    await lms.close();
    await database.drop();
  }
}

/** What the phases of one dialect's run share: the server, the test LMS, the customer and the students. */
interface Harness {
  publicUrl: string;
  lms: Lti13Platform;
  customer: { key: string; secret: string };
  ids: string[];
  warmIds: string[];
  get(path: string): Promise<Answer>;
  post(path: string, body: string): Promise<Answer>;
}

const status = (expected: number) => (a: Answer) => a.status === expected;
// One prepared form body per exchange, posted to `path`, until they run out.
const each = (h: Harness, bodies: string[], path: string, ok: (a: Answer) => boolean) => (i: number) => (i < bodies.length ? timed(() => h.post(path, bodies[i]!), ok) : null);

// LTI 1.1: launches signed beforehand (HMAC-SHA1, cheap), posted to /lti/launch.
async function bench11(h: Harness): Promise<Result[]> {
  const launchUrl = `${h.publicUrl}/lti/launch`;
  const sign = (student: string) =>
    formBody(
      signLaunch({
        url: launchUrl,
        key: h.customer.key,
        secret: h.customer.secret,
        params: launchParams({ user_id: `lms-${student}`, lis_person_sourcedid: `ID-${student}`, resource_link_id: 'bench-link' }),
      }),
    );
  await load('1.1 warm-up launches', 30, each(h, [...h.warmIds, ...h.warmIds].map(sign), '/lti/launch', status(303)));
  const results = [await load(`1.1 first launches (${STUDENTS} students, Match with rule)`, SECONDS, each(h, h.ids.map(sign), '/lti/launch', status(303)))];
  process.stderr.write('Signing repeat launches…\n');
  const repeat = Array.from({ length: REPEATS }, (_, i) => sign(h.ids[i % STUDENTS]!));
  results.push(await load('1.1 repeat launches (remembered link)', SECONDS, each(h, repeat, '/lti/launch', status(303))));
  return results;
}

// LTI 1.3: logins, id_tokens signed by the test LMS for their nonces, launches (see the header).
async function bench13(h: Harness): Promise<Result[]> {
  const loginUrl = `${h.publicUrl}/lti/1.3/login`;
  const intoReader = (a: Answer) => a.status === 303 && (a.location.startsWith('/reader') || a.location.startsWith(`${h.publicUrl}/reader`));
  const login = async (student: string): Promise<{ sample: Sample; state: string; nonce: string }> => {
    const body = new URLSearchParams(h.lms.loginInitiation(loginUrl, { userId: `lms-${student}` }).fields).toString();
    let location = '';
    const sample = await timed(
      () => h.post('/lti/1.3/login', body),
      status(302),
      (a) => (location = a.location),
    );
    const url = new URL(location || 'http://invalid/');
    return { sample, state: url.searchParams.get('state') ?? '', nonce: url.searchParams.get('nonce') ?? '' };
  };
  const launchBody = async (student: string, l: { state: string; nonce: string }) =>
    new URLSearchParams({ id_token: await h.lms.idToken({ userId: `lms-${student}`, resourceLink: { id: 'bench-link' } }, l.nonce), state: l.state }).toString();
  // Logs each student in (a measured phase or not), then signs an id_token for each login's nonce.
  const loginsThenLaunches = async (name: string, students: string[], seconds: number) => {
    const logins: { student: string; state: string; nonce: string }[] = [];
    const result = await load(name, seconds, (i) => (i < students.length ? login(students[i]!).then((l) => ((logins[i] = { student: students[i]!, ...l }), l.sample)) : null));
    const done = logins.filter(Boolean);
    process.stderr.write(`Signing ${done.length} id_tokens…\n`);
    const bodies: string[] = [];
    for (let at = 0; at < done.length; at += 500) bodies.push(...(await Promise.all(done.slice(at, at + 500).map((l) => launchBody(l.student, l)))));
    return { result, bodies };
  };
  const pair = async (student: string): Promise<Sample> => {
    const l = await login(student);
    const body = await launchBody(student, l);
    const launched = await timed(() => h.post('/lti/1.3/launch', body), intoReader);
    return { ms: l.sample.ms + launched.ms, ok: l.sample.ok && launched.ok };
  };

  await load('1.3 warm-up pairs', 60, (i) => (i < 2 * WARM_UP_STUDENTS ? pair(h.warmIds[i % WARM_UP_STUDENTS]!) : null));
  const first = await loginsThenLaunches('1.3 first logins', h.ids, 60);
  const results = [await load(`1.3 first launches (${STUDENTS} students, Match with rule)`, SECONDS, each(h, first.bodies, '/lti/1.3/launch', intoReader))];
  const repeats = await loginsThenLaunches(
    '1.3 login (POST /lti/1.3/login)',
    Array.from({ length: REPEATS }, (_, i) => h.ids[i % STUDENTS]!),
    SECONDS,
  );
  results.push(repeats.result);
  results.push(await load('1.3 repeat launches (POST /lti/1.3/launch, remembered link)', SECONDS, each(h, repeats.bodies, '/lti/1.3/launch', intoReader)));
  results.push(await load('1.3 repeat pairs (login + launch, signed between)', SECONDS, (i) => pair(h.ids[i % STUDENTS]!)));
  return results;
}

// A learner of the test LMS whose LIS person_sourcedid is the rostered identifier (Match with identifier).
function member(id: string): Member {
  return {
    user_id: `lms-${id}`,
    status: 'Active',
    name: `Student ${id}`,
    given_name: 'Student',
    family_name: id,
    email: `${id}@lms.example`,
    lis_person_sourcedid: `ID-${id}`,
    roles: [ROLES.learner],
  };
}

interface Req {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

// Times one request; `seen` gets the answer (to read a Location).
async function timed(request: () => Promise<Answer>, ok: (a: Answer) => boolean, seen?: (a: Answer) => void): Promise<Sample> {
  const t0 = performance.now();
  const answer = await request();
  const ms = performance.now() - t0;
  seen?.(answer);
  return { ms, ok: ok(answer) };
}

// Keeps CONNECTIONS exchanges in flight until `seconds` pass or `next` runs out; records each latency.
async function load(name: string, seconds: number, next: (i: number) => Promise<Sample> | null): Promise<Result> {
  process.stderr.write(`${name}…\n`);
  const latencies: number[] = [];
  let issued = 0;
  let unexpected = 0;
  const cpuBefore = serverCpuMs();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    for (;;) {
      if (performance.now() > deadline) return;
      const sample = next(issued++);
      if (!sample) return;
      const { ms, ok } = await sample;
      latencies.push(ms);
      if (!ok) unexpected++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const cpuAfter = serverCpuMs();
  const serverCpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  return { name, requests: latencies.length, ms: performance.now() - start, latencies, unexpected, serverCpuMs: serverCpu };
}

function send(agent: http.Agent, port: number, req: Req): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = req.body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(req.body) } : {};
    const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? '' }));
    });
    r.on('error', reject);
    // A request the server never answers fails the run (with its path) instead of hanging it.
    r.setTimeout(30_000, () => r.destroy(new Error(`no answer to ${req.method} ${req.path} within 30 s`)));
    r.end(req.body);
  });
}

function print(dialect: TestDialect, results: Result[], notes: string[]): void {
  const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const rows = results.map((r) => {
    const sorted = [...r.latencies].sort((a, b) => a - b);
    const cpu = r.serverCpuMs === null || !r.requests ? '' : (r.serverCpuMs / r.requests).toFixed(2);
    return [r.name, String(r.requests), ((r.requests / r.ms) * 1000).toFixed(0), pct(sorted, 50).toFixed(1), pct(sorted, 99).toFixed(1), (sorted.at(-1) ?? 0).toFixed(1), cpu, String(r.unexpected)];
  });
  const header = ['', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU ms/req', 'unexpected status'];
  const name = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  console.log(`\nLTI launch benchmark: ${name}, ${CONNECTIONS} connections, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  for (const note of notes) console.log(`\n${note}`);
}

async function waitForServer(port: number, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`the server exited (${server.exitCode ?? server.signalCode}) before answering`);
    const ok = await new Promise<boolean>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/api/meta/limits' }, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server did not start within 30 s');
}

await main();
