/*
 * How well `lectern serve` keeps answering while it imports a roster: a real serve process on a
 * fresh database, a bundle uploaded through the HTTP API (upload → job → run, the production path),
 * and `/api/health` asked every ~20 ms from this process meanwhile. The probe is open-loop: a request
 * leaves every interval whether or not the last one answered, so a server that stalls for a second
 * shows fifty slow answers, not one (no coordinated omission).
 */
import fs from 'node:fs';
import http from 'node:http';
import { SCENARIOS, type Scenario } from '../../bench/district-bundle.js';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { createTestDatabase, type TestDialect } from '../helpers/databases.js';
import { freePort } from '../helpers/listening.js';
import { waitFor } from '../helpers/wait.js';
import { processEnv, spawnLectern, stopAll } from './processes.js';

/** Latencies of one probe window, in ms. */
export interface LatencySummary {
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** What one measured import found. */
export interface AvailabilityResult {
  dialect: TestDialect;
  /** The run as it ended (status, counts…). */
  run: { status: string; error: { code: string; message: string } | null };
  /** From the upload's first byte to the run's end as the console saw it. */
  importMs: number;
  idle: LatencySummary;
  during: LatencySummary;
  /** Sign-in-like writes (an API token created every half second) during the import, and how many failed. */
  writes: LatencySummary & { failed: number; firstFailure: string };
  /** The serve process's output, for a failure message. */
  output: string[];
}

const TERMINAL = new Set(['succeeded', 'succeeded_with_warnings', 'failed', 'awaiting_approval', 'discarded']);

/** The benchmarks' district scaled to `users` (classes, enrollments, schools and courses in proportion). */
export function scaledDistrict(users: number): Scenario {
  const d = SCENARIOS[0]!;
  const k = users / d.users;
  return {
    name: `district-${users}`,
    users,
    classes: Math.max(1, Math.round(d.classes * k)),
    enrollments: Math.round(d.enrollments * k),
    schools: Math.max(1, Math.round(d.schools * k)),
    courses: Math.max(1, Math.round(d.courses * k)),
  };
}

/** Nearest-rank percentiles of a list of latencies. */
export function summarize(ms: number[]): LatencySummary {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { requests: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1] ?? 0 };
}

// A few kept-alive sockets: while the server stalls, requests wait in this queue (and are timed from
// when they were due) instead of opening hundreds of connections that overflow its listen backlog.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function get(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`health answered ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
}

/** Asks `url` every `everyMs` until `until` resolves, open-loop; returns each answer's latency. */
async function probe(url: string, everyMs: number, until: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let done = false;
  void until.finally(() => (done = true));
  const start = performance.now();
  for (let i = 0; !done; i++) {
    const due = start + i * everyMs;
    const request = get(url)
      .then(() => void latencies.push(performance.now() - due))
      .catch((err: unknown) => void failures.push((err as Error).message))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
    // The next request leaves on the schedule, not after this one's answer.
    await Promise.race([until, new Promise((r) => setTimeout(r, Math.max(0, due + everyMs - performance.now())))]);
  }
  await Promise.all(inFlight);
  if (failures.length) throw new Error(`${failures.length} health requests failed, e.g. ${failures[0]}`);
  return latencies;
}

/** Creates an API token every `everyMs` (a small write, like a sign-in) until `until` resolves; closed-loop. */
async function writeProbe(base: string, headers: Record<string, string>, everyMs: number, until: Promise<unknown>): Promise<AvailabilityResult['writes']> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const sent = performance.now();
    const res = await fetch(`${base}/api/auth/tokens`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'availability probe' }) });
    const text = await res.text();
    if (res.status === 201) latencies.push(performance.now() - sent);
    else failures.push(`${res.status} ${text}`);
    await Promise.race([until, new Promise((r) => setTimeout(r, everyMs))]);
  }
  return { ...summarize(latencies), failed: failures.length, firstFailure: failures[0] ?? '' };
}

/** Waits for a serve at `base` to listen and signs in as the bootstrap admin; returns the headers of a console write. */
export async function signIn(base: string, output: string[]): Promise<Record<string, string>> {
  await waitFor(async () => (await fetch(`${base}/api/health`).catch(() => null))?.ok, 'serve to listen', 60_000, 200);
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ login: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (!login.ok) throw new Error(`sign-in answered ${login.status}: ${await login.text()}\n${output.join('\n')}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return {
    cookie: login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; '),
    'x-csrf-token': csrfToken,
    origin: base,
  };
}

/** Uploads a bundle as Upload Roster File does; returns the queued run's id. */
export async function uploadBundle(base: string, headers: Record<string, string>, customerId: string, bundle: string, output: string[]): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(bundle)], { type: 'application/zip' }), 'district.zip');
  const upload = await fetch(`${base}/api/customers/${customerId}/roster/uploads`, { method: 'POST', headers, body: form });
  if (upload.status !== 202) throw new Error(`upload answered ${upload.status}: ${await upload.text()}\n${output.join('\n')}`);
  return ((await upload.json()) as { runId: string }).runId;
}

/**
 * Starts `lectern serve` (`env` added to its environment) on a fresh `dialect` database, measures
 * health while idle for `idleMs`, then uploads `bundle` and measures health until the run ends.
 */
export async function measureImport(opts: { dialect: TestDialect; bundle: string; idleMs?: number; everyMs?: number; env?: Record<string, string>; timeoutMs?: number }): Promise<AvailabilityResult> {
  const everyMs = opts.everyMs ?? 20;
  const database = await createTestDatabase(opts.dialect);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = processEnv(database, { PORT: String(port), HOST: '127.0.0.1', LECTERN_PUBLIC_URL: base, ...opts.env });
  const setup = await createContext(loadConfig(env));
  const customer = await seedCustomer(setup, { rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: `@availability-${opts.dialect}` } });
  await setup.close();
  const serve = spawnLectern('serve', ['serve'], env);
  try {
    const headers = await signIn(base, serve.output);

    const idle = await probe(`${base}/api/health`, everyMs, new Promise((r) => setTimeout(r, opts.idleMs ?? 3000)));

    const started = performance.now();
    const finished = (async () => {
      const runId = await uploadBundle(base, headers, customer.id, opts.bundle, serve.output);
      return waitFor(
        async () => {
          const res = await fetch(`${base}/api/customers/${customer.id}/roster/runs/${runId}`, { headers });
          const run = (await res.json()) as AvailabilityResult['run'];
          return TERMINAL.has(run.status) ? run : null;
        },
        'the run to end',
        opts.timeoutMs ?? 600_000,
        250,
      );
    })();
    const ended = finished.catch(() => undefined);
    const [during, writes, run] = await Promise.all([probe(`${base}/api/health`, everyMs, ended), writeProbe(base, headers, 500, ended), finished]);
    return { dialect: opts.dialect, run, importMs: performance.now() - started, idle: summarize(idle), during: summarize(during), writes, output: serve.output };
  } finally {
    await stopAll([serve]);
    await database.drop();
  }
}
