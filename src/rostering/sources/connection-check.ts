/*
 * Test connection (the customer form's button): the steps a pull takes, tried one by one with the
 * same code the pull uses (resolveSftpHost/openSftp, RestClient, the guarded outbound client), each
 * reported with its own answer, and nothing stored or downloaded. The first failed step ends the
 * test; the steps after it are reported as skipped, so a person sees how far the connection got.
 */
import path from 'node:path';
import type SftpClient from 'ssh2-sftp-client';
import { AppError } from '../../errors.js';
import type { OutboundClient } from '../../security/outbound.js';
import { RestClient, type RestAuth } from './rest-client.js';
import { openSftp, resolveSftpHost, type SftpLocation } from './sftp-fetch.js';

/** One step of a test. `code` is the stable error code of a failed step (errors.ts). */
export interface CheckStep {
  step: SftpStep | ApiStep;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  message: string;
  code: string | null;
}

/** What a test found. */
export interface ConnectionReport {
  ok: boolean;
  steps: CheckStep[];
  /** SFTP: the key the server showed, and whether it is the pinned one ('unpinned' when none is pinned). */
  hostKey: { fingerprint: string; pinned: 'match' | 'mismatch' | 'unpinned' } | null;
  /** SFTP, when File name is not in Path: the names there that come closest. */
  nearNames: string[];
  /** API: how many orgs the provider has (X-Total-Count, else the first page's rows) and the first names. */
  orgs: { count: number; countIsTotal: boolean; names: string[] } | null;
}

type SftpStep = 'resolve' | 'connect' | 'hostKey' | 'authenticate' | 'listPath' | 'findFile';
type ApiStep = 'token' | 'sign' | 'readOrgs';

const SFTP_LABELS: Record<SftpStep, string> = {
  resolve: 'Resolve the host name',
  connect: 'Connect',
  hostKey: 'Check the host key',
  authenticate: 'Sign in',
  listPath: 'List Path',
  findFile: 'Find File name',
};
const API_LABELS: Record<ApiStep, string> = { token: 'Fetch an OAuth 2 token', sign: 'Sign a request (OAuth 1.0a)', readOrgs: 'Read one page of orgs' };

// Steps in order; the first failure marks the rest skipped.
class Steps<S extends SftpStep | ApiStep> {
  readonly list: CheckStep[];
  constructor(labels: Record<S, string>) {
    this.list = (Object.keys(labels) as S[]).map((step) => ({ step, label: labels[step], status: 'skipped', message: 'Not tried: an earlier step failed.', code: null }));
  }
  ok(step: S, message: string): void {
    Object.assign(this.find(step), { status: 'ok', message });
  }
  fail(step: S, err: unknown): void {
    const e = err instanceof AppError ? err : new AppError('SOURCE_UNREACHABLE', (err as Error).message);
    Object.assign(this.find(step), { status: 'failed', message: e.message, code: e.code });
  }
  drop(step: S): void {
    this.list.splice(this.list.indexOf(this.find(step)), 1);
  }
  private find(step: S): CheckStep {
    return this.list.find((s) => s.step === step)!;
  }
}

/**
 * Tests an SFTP location: resolve (through the outbound guard), connect, host key (pinned or shown
 * to be pinned), sign in, list Path, find File name (or the names closest to it).
 */
export async function checkSftp(loc: SftpLocation, outbound: OutboundClient, opts: { connectTimeoutMs?: number } = {}): Promise<ConnectionReport> {
  const steps = new Steps(SFTP_LABELS);
  const report: ConnectionReport = { ok: false, steps: steps.list, hostKey: null, nearNames: [], orgs: null };
  let address: string;
  try {
    address = await resolveSftpHost(loc, outbound);
    steps.ok('resolve', `${loc.host} resolves to an address Lectern may call.`);
  } catch (err) {
    steps.fail('resolve', err);
    return report;
  }
  let client: SftpClient;
  try {
    ({ client } = await openSftp(loc, address, {
      connectTimeoutMs: opts.connectTimeoutMs,
      onHostKey: (fingerprint) => {
        report.hostKey = { fingerprint, pinned: !loc.hostKeyFingerprint ? 'unpinned' : fingerprint === loc.hostKeyFingerprint ? 'match' : 'mismatch' };
      },
    }));
  } catch (err) {
    // How far the handshake got says which step failed: no host key seen means no SSH server answered.
    if (!report.hostKey) steps.fail('connect', err);
    else {
      steps.ok('connect', `${loc.host}:${loc.port} answered as an SSH server.`);
      if (report.hostKey.pinned === 'mismatch') steps.fail('hostKey', err);
      else {
        steps.ok('hostKey', hostKeyMessage(report.hostKey));
        steps.fail('authenticate', err);
      }
    }
    return report;
  }
  try {
    steps.ok('connect', `${loc.host}:${loc.port} answered as an SSH server.`);
    steps.ok('hostKey', hostKeyMessage(report.hostKey!));
    steps.ok('authenticate', `Signed in as ${loc.username}.`);
    const dir = loc.path || '/';
    let entries: { name: string; type: string; size: number }[];
    try {
      entries = await client.list(dir);
    } catch (err) {
      steps.fail('listPath', listError(err as Error & { code?: number | string }, dir));
      return report;
    }
    steps.ok('listPath', `${dir} holds ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}.`);
    const found = entries.find((e) => e.name === loc.fileName);
    const remote = path.posix.join(dir, loc.fileName);
    if (found && found.type === '-') {
      steps.ok('findFile', `${remote} is there (${found.size} bytes).`);
      report.ok = true;
    } else if (found) {
      steps.fail('findFile', new AppError('SOURCE_FILE_MISSING', `${remote} is a folder, not a file: put folders in Path and the zip's name in File name.`));
    } else {
      report.nearNames = nearNames(
        loc.fileName,
        entries.filter((e) => e.type === '-').map((e) => e.name),
      );
      const near = report.nearNames.length ? ` Closest names there: ${report.nearNames.join(', ')}.` : ' There are no files there.';
      steps.fail('findFile', new AppError('SOURCE_FILE_MISSING', `${loc.fileName} is not in ${dir}.${near}`));
    }
    return report;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Tests a OneRoster REST API: fetch a token (OAuth 2) or sign a request (OAuth 1.0a), then read one
 * page of orgs without retrying, and say how many there are and the first few names.
 */
export async function checkApi(baseUrl: string, auth: RestAuth, outbound: OutboundClient, opts: { timeoutMs?: number } = {}): Promise<ConnectionReport> {
  const steps = new Steps(API_LABELS);
  steps.drop(auth.kind === 'oauth2' ? 'sign' : 'token');
  const report: ConnectionReport = { ok: false, steps: steps.list, hostKey: null, nearNames: [], orgs: null };
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const client = new RestClient(baseUrl, auth, outbound, { pageSize: 100, maxPages: 1, maxAttempts: 1, pageTimeoutMs: timeoutMs, maxPageBytes: 8 * 1024 * 1024 });
  const authStep = auth.kind === 'oauth2' ? 'token' : 'sign';
  try {
    await client.authorization(`${baseUrl}/orgs`);
    steps.ok(authStep, auth.kind === 'oauth2' ? 'The token URL issued an access token for the client credentials.' : `Signed with ${auth.signatureMethod}; the API checks the signature next.`);
  } catch (err) {
    steps.fail(authStep, err);
    return report;
  }
  const pages = client.pages('orgs', null);
  try {
    const first = await pages.next();
    if (first.done) {
      steps.fail('readOrgs', new AppError('SOURCE_UNREACHABLE', first.value?.message ?? 'The API answered without an orgs page.'));
      return report;
    }
    const { rows, total } = first.value;
    const names: string[] = [];
    for (let i = 0; i < rows.length && names.length < 3; i++) {
      const org = rows.at(i) as { name?: unknown } | undefined;
      if (typeof org?.name === 'string' && org.name) names.push(org.name);
    }
    report.orgs = { count: total ?? rows.length, countIsTotal: total !== null, names };
    const count = total !== null ? `${total} orgs` : `${rows.length} orgs on the first page`;
    steps.ok('readOrgs', `${count}${names.length ? `, such as ${names.join(', ')}` : ''}.`);
    report.ok = true;
  } catch (err) {
    steps.fail('readOrgs', err);
  } finally {
    // Ends the generator: the page it would prefetch next is never asked for.
    await pages.return(null).catch(() => undefined);
  }
  return report;
}

function hostKeyMessage(key: NonNullable<ConnectionReport['hostKey']>): string {
  return key.pinned === 'match' ? `The server showed the pinned key ${key.fingerprint}.` : `The server showed ${key.fingerprint}. Nothing is pinned yet: compare it with the district's, then pin it.`;
}

// ssh2 reports SFTP status codes: 2 no such file, 3 permission denied.
function listError(err: Error & { code?: number | string }, dir: string): AppError {
  if (err.code === 2 || /no such file/i.test(err.message)) return new AppError('SOURCE_FILE_MISSING', `${dir} does not exist on the server: check Path.`);
  if (err.code === 3 || /permission denied/i.test(err.message))
    return new AppError('SOURCE_AUTH_FAILED', `This SFTP account may not read ${dir} (permission denied): check Path, or ask the district to grant access.`);
  return new AppError('SOURCE_UNREACHABLE', `${dir} could not be listed: ${err.message}`);
}

/** Up to five names closest to `wanted` (case and extension differences first, then edit distance). */
export function nearNames(wanted: string, names: string[]): string[] {
  const w = wanted.toLowerCase();
  const stem = (n: string) => n.toLowerCase().replace(/\.[^.]*$/, '');
  const score = (n: string) => (n.toLowerCase() === w ? 0 : stem(n) === stem(w) ? 1 : 2 + editDistance(n.toLowerCase(), w));
  const limit = 2 + Math.max(3, Math.ceil(w.length / 2));
  return names
    .map((n) => ({ n, s: score(n) }))
    .filter((x) => x.s <= limit)
    .sort((a, b) => a.s - b.s || a.n.localeCompare(b.n))
    .slice(0, 5)
    .map((x) => x.n);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
