import { operatorActor } from '../../src/accounts/policy.js';
import type { AppContext } from '../../src/context.js';
import type { Pair } from '../../src/security/oauth1.js';
import { seedCustomer } from '../helpers/app.js';
import { arraySource } from '../helpers/array-source.js';
import type { TestDialect } from '../helpers/databases.js';
import { startListeningApp, type ListeningApp } from '../helpers/listening.js';
import { formBody, launchParams, signLaunch } from '../helpers/lti.js';
import { enrollmentRow, classRow, orgRow } from '../helpers/roster-rows.js';
import type { AnyRow } from '../../src/rostering/sync/engine.js';

/** The real server listening on a real port, its public URL being that port (what the LMS signs). */
export interface LtiServer extends ListeningApp {
  launchUrl: string;
}

/** Starts the app on a fresh database of `dialect`, listening on 127.0.0.1. */
export async function startLtiServer(dialect: TestDialect): Promise<LtiServer> {
  const server = await startListeningApp(dialect);
  return { ...server, launchUrl: `${server.url}/lti/launch` };
}

/** A customer whose LTI credentials the test keeps, seeded through the service. */
export async function ltiCustomer(ctx: AppContext, overrides: Parameters<typeof seedCustomer>[1] = {}) {
  const seeded = await seedCustomer(ctx, overrides);
  return { id: seeded.id, key: seeded.created.lti.consumerKey, secret: seeded.created.lti.sharedSecret };
}

/** Runs a bulk roster import of `rows` for the customer (the real engine, as an upload would). */
export async function importRoster(ctx: AppContext, customerId: string, rows: AnyRow[]): Promise<void> {
  const run = await ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false });
  const done = await ctx.runs.execute(run.runId, customerId, arraySource(rows));
  if (done.status !== 'succeeded' && done.status !== 'succeeded_with_warnings') throw new Error(`roster import ${done.status}`);
}

/** A school with one class and these users enrolled in it. */
export function schoolRoster(users: AnyRow[]): AnyRow[] {
  const enrollments = users.map((u) => enrollmentRow(`e-${u.row.sourcedId}`, 'c1', u.row.sourcedId));
  return [orgRow('org-1'), classRow('c1'), ...users, ...enrollments];
}

/** What a launch answered, read without following redirects. */
export interface LaunchResponse {
  status: number;
  location: string | null;
  setCookie: string | null;
  cookie: string | null;
  contentType: string;
  body: string;
  headers: Headers;
}

/** Posts a signed form the way a browser submits the LMS's auto-posting form. */
export async function postLaunch(server: LtiServer, pairs: Pair[], opts: { path?: string; headers?: Record<string, string> } = {}): Promise<LaunchResponse> {
  const res = await fetch(`${server.url}${opts.path ?? '/lti/launch'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://lms.example.edu', ...opts.headers },
    body: formBody(pairs),
    redirect: 'manual',
  });
  return read(res);
}

/** GET without following redirects, with an optional cookie. */
export async function get(server: LtiServer, path: string, cookie?: string | null): Promise<LaunchResponse> {
  return read(await fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' }));
}

async function read(res: Response): Promise<LaunchResponse> {
  const setCookie = res.headers.getSetCookie().find((c) => c.includes('lectern_session=')) ?? null;
  return {
    status: res.status,
    location: res.headers.get('location'),
    setCookie,
    cookie: setCookie ? setCookie.split(';')[0]! : null,
    contentType: res.headers.get('content-type') ?? '',
    body: await res.text(),
    headers: res.headers,
  };
}

/** A signed launch for the customer, with launch parameter overrides. */
export function signed(server: LtiServer, customer: { key: string; secret: string }, params: Record<string, string> = {}, opts: { url?: string; secret?: string } = {}): Pair[] {
  return signLaunch({ url: opts.url ?? server.launchUrl, key: customer.key, secret: opts.secret ?? customer.secret, params: launchParams(params) });
}
