/*
 * A OneRoster REST client for one pull (reference: shared/reference/oneroster.md §2): signs every
 * request (OAuth 1.0a HMAC-SHA1/SHA256 over the full URL including the query, or an OAuth 2
 * client-credentials bearer token), retries what may pass (429 honouring Retry-After, 5xx, network
 * errors, slow pages) with exponential backoff and full jitter inside a bounded budget, and walks a
 * collection page by page: `Link: <…>; rel="next"` when the provider gives one, else limit/offset
 * with `X-Total-Count`. Only one page (plus the one being prefetched) is ever in memory, as bytes
 * whose rows are parsed one at a time (rest-json.ts).
 *
 * Every request goes through the guarded outbound client (public https, or what the operator allowed;
 * a refused address fails at once with OUTBOUND_FORBIDDEN, never retried).
 *
 * Transport failures throw an AppError with a SOURCE_* code (the run fails and says why); a provider
 * that answers but pages inconsistently (fewer rows than it announced, a page repeated, a next link
 * looping, a body that is not OneRoster) makes the collection `incomplete`, which the run source
 * turns into an unusable roster: nothing is applied and nothing is deleted.
 */
import crypto from 'node:crypto';
import { AppError, type ErrorCode } from '../../errors.js';
import { authorizationHeader, percentEncode, signRequest, type SignatureMethod } from '../../security/oauth1.js';
import { OutboundError, type OutboundClient, type OutboundResponse } from '../../security/outbound.js';
import { scanPage, type PageRows } from './rest-json.js';

/** How requests are authorised. */
export type RestAuth =
  { kind: 'oauth1'; signatureMethod: SignatureMethod; consumerKey: string; consumerSecret: string } | { kind: 'oauth2'; tokenUrl: string; scope: string; clientId: string; clientSecret: string };

/** How a customer's Authorization setting (and its key, secret, token URL and scope) signs requests. */
export function restAuth(s: { authorization: string | null; tokenUrl: string; scope: string; consumerKey: string }, secret: string): RestAuth {
  return s.authorization === 'oauth2-client-credentials'
    ? { kind: 'oauth2', tokenUrl: s.tokenUrl, scope: s.scope, clientId: s.consumerKey, clientSecret: secret }
    : { kind: 'oauth1', signatureMethod: s.authorization === 'oauth1-hmac-sha1' ? 'HMAC-SHA1' : 'HMAC-SHA256', consumerKey: s.consumerKey, consumerSecret: secret };
}

/** Tunables of a pull; the defaults suit real districts. */
export interface RestOptions {
  /** Rows asked for per page (`limit`); providers may return fewer. */
  pageSize: number;
  /** Pages per collection before the pull is refused as runaway paging. */
  maxPages: number;
  /** Time for one page, from request to the last byte of its body. */
  pageTimeoutMs: number;
  /** Attempts per request (1 = no retry). */
  maxAttempts: number;
  /** First backoff step; doubles per attempt, with full jitter. */
  retryBaseMs: number;
  /** Longest single wait, including a Retry-After; a longer Retry-After fails the pull. */
  maxRetryWaitMs: number;
  /** Total time the whole pull may spend waiting to retry. */
  retryBudgetMs: number;
  /** Largest page body accepted. */
  maxPageBytes: number;
}

export const DEFAULT_REST_OPTIONS: RestOptions = {
  pageSize: 1000,
  maxPages: 100_000,
  pageTimeoutMs: 60_000,
  maxAttempts: 5,
  retryBaseMs: 500,
  maxRetryWaitMs: 60_000,
  retryBudgetMs: 10 * 60_000,
  maxPageBytes: 64 * 1024 * 1024,
};

/** Why a collection could not be read whole (the pull must not be applied). */
export interface Incomplete {
  code: 'api.truncated_paging' | 'api.page_repeated' | 'api.link_loop' | 'api.bad_body' | 'api.too_many_pages';
  message: string;
}

/** One page of a collection as it arrived. */
export interface Page {
  rows: PageRows;
  /** X-Total-Count, when the provider sends it. */
  total: number | null;
}

/** The base path of a version, appended when the customer's URL is only the host. */
const BASE_PATHS = { '1.1': '/ims/oneroster/v1p1', '1.2': '/ims/oneroster/rostering/v1p2' } as const;

/** The collection URL base for a customer's URL: kept when it already names the OneRoster path. */
export function restBaseUrl(url: string, version: '1.1' | '1.2'): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  return /\/ims\/oneroster\//.test(new URL(trimmed).pathname + '/') ? trimmed : trimmed + BASE_PATHS[version];
}

/** Talks to one provider for one pull. */
export class RestClient {
  private token: { value: string; expiresAt: number } | null = null;
  private retryWaited = 0;
  readonly options: RestOptions;

  constructor(
    private readonly baseUrl: string,
    private readonly auth: RestAuth,
    private readonly outbound: OutboundClient,
    options: Partial<RestOptions> = {},
  ) {
    this.options = { ...DEFAULT_REST_OPTIONS, ...options };
  }

  /**
   * Yields the pages of `collection` in order (the rows under its envelope key), then, if the
   * provider paged inconsistently, returns why instead of finishing quietly.
   */
  async *pages(collection: string, filter: string | null): AsyncGenerator<Page, Incomplete | null> {
    const o = this.options;
    const query = `limit=${o.pageSize}&offset=0${filter ? `&filter=${percentEncode(filter)}` : ''}`;
    let url = `${this.baseUrl}/${collection}?${query}`;
    const visited = new Set<string>([url]);
    const pageDigests = new Set<string>();
    let offset = 0;
    let count = 0;
    let announced: number | null = null;
    let largestPage = 0;
    let linked = false;
    let next: Promise<Fetched> | null = null;
    for (let page = 1; ; page++) {
      if (page > o.maxPages) return { code: 'api.too_many_pages', message: `${collection}: more than ${o.maxPages} pages; the pull was stopped.` };
      const fetched = await (next ?? this.getPage(url));
      next = null;
      const rows = scanPage(fetched.bytes, collection);
      if (!rows) return { code: 'api.bad_body', message: `${collection}: the answer to ${redact(url)} ${describeBody(fetched.bytes, collection)}` };
      const total = totalOf(fetched.headers);
      if (total !== null) announced = total;
      if (rows.length) {
        const digest = crypto.createHash('sha1').update(rows.span).digest('base64');
        if (pageDigests.has(digest)) return { code: 'api.page_repeated', message: `${collection}: page ${page} repeats an earlier page (the provider ignored the offset or looped).` };
        pageDigests.add(digest);
      }
      count += rows.length;
      offset += rows.length;
      largestPage = Math.max(largestPage, rows.length);
      // Work out the next page before handing this one over, so it downloads while this one is staged.
      const link = nextLink(fetched.headers.get('link'), url);
      let following: string | null = null;
      if (link) {
        linked = true;
        if (visited.has(link)) return { code: 'api.link_loop', message: `${collection}: the next link of page ${page} points back to a page already read.` };
        following = link;
      } else if (!linked && rows.length > 0 && (announced === null ? rows.length >= largestPage : count < announced)) {
        // Never linked: offsets. Without a total, a short page after full ones ends it, else ask until empty.
        following = `${this.baseUrl}/${collection}?${query.replace('offset=0', `offset=${offset}`)}`;
      }
      if (following) {
        visited.add(following);
        next = this.getPage(following);
        // Awaited on the next turn; until then a failure must not count as unhandled.
        next.catch(() => undefined);
      }
      yield { rows, total: announced };
      if (!following) break;
      url = following;
    }
    if (announced !== null && count !== announced) {
      return {
        code: 'api.truncated_paging',
        message: `${collection}: the provider announced ${announced} rows (X-Total-Count) but paging delivered ${count}; the collection is incomplete.`,
      };
    }
    return null;
  }

  // One GET with auth, timeout and retries; resolves with the body's bytes.
  private async getPage(url: string): Promise<Fetched> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let res: OutboundResponse;
      try {
        res = await this.outbound.request(url, {
          headers: { accept: 'application/json', authorization: await this.authorization(url) },
          timeoutMs: this.options.pageTimeoutMs,
          maxBytes: this.options.maxPageBytes,
          maxRedirects: MAX_REDIRECTS,
        });
      } catch (err) {
        if (!(err instanceof OutboundError)) throw err;
        if (err.kind === 'too_large') throw new AppError('SOURCE_TOO_LARGE', `A page of the OneRoster API is larger than ${Math.round(this.options.maxPageBytes / 1048576)} MB.`);
        const timedOut = err.kind === 'timeout';
        const why = timedOut ? `no complete answer within ${this.options.pageTimeoutMs / 1000} s` : networkWords(err);
        await this.backoff(attempt, null, timedOut ? 'SOURCE_TIMEOUT' : 'SOURCE_UNREACHABLE', `GET ${redact(url)}: ${why}`);
        continue;
      }
      const bytes = res.body;
      if (res.status === 401 && this.auth.kind === 'oauth2' && !refreshed) {
        // A token may be revoked or expire early: one fresh token, one more try.
        refreshed = true;
        this.token = null;
        attempt--;
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        throw new AppError(
          'SOURCE_AUTH_FAILED',
          `The OneRoster API refused the credentials (HTTP ${res.status} for GET ${redact(url)}${describeStatus(bytes)}). Check the consumer key, secret${this.auth.kind === 'oauth2' ? ', token URL and scope' : ' and signature method'}.`,
        );
      }
      if (res.status === 429 || res.status >= 500) {
        const code = res.status === 429 ? 'SOURCE_RATE_LIMITED' : 'SOURCE_UNREACHABLE';
        await this.backoff(attempt, retryAfterMs(res.headers.get('retry-after')), code, `GET ${redact(url)} answered HTTP ${res.status}${describeStatus(bytes)}`);
        continue;
      }
      if (res.status !== 200) {
        throw new AppError('SOURCE_UNREACHABLE', `GET ${redact(url)} answered HTTP ${res.status}${describeStatus(bytes)}; check the API URL and the OneRoster version.`);
      }
      return { bytes, headers: res.headers };
    }
  }

  // Waits before the next attempt, or throws `code` once attempts or the budget are spent.
  private async backoff(attempt: number, retryAfter: number | null, code: ErrorCode, what: string): Promise<void> {
    const o = this.options;
    const jittered = Math.random() * Math.min(o.maxRetryWaitMs, o.retryBaseMs * 2 ** (attempt - 1));
    const wait = retryAfter ?? jittered;
    if (attempt >= o.maxAttempts || wait > o.maxRetryWaitMs || this.retryWaited + wait > o.retryBudgetMs) {
      throw new AppError(code, `${what}; gave up after ${attempt} attempt${attempt > 1 ? 's' : ''}.`);
    }
    this.retryWaited += wait;
    await new Promise((r) => setTimeout(r, wait));
  }

  /** The Authorization header for a GET of `url`: its OAuth 1.0a signature, or a bearer token (fetched when none is held). */
  async authorization(url: string): Promise<string> {
    const a = this.auth;
    if (a.kind === 'oauth1') {
      return authorizationHeader(signRequest({ method: 'GET', url, consumerKey: a.consumerKey, consumerSecret: a.consumerSecret, signatureMethod: a.signatureMethod }));
    }
    if (!this.token || Date.now() >= this.token.expiresAt) this.token = await this.fetchToken(a);
    return `Bearer ${this.token.value}`;
  }

  // OAuth 2 client credentials (1EdTech Security Framework): Basic client auth, form body.
  private async fetchToken(a: Extract<RestAuth, { kind: 'oauth2' }>): Promise<{ value: string; expiresAt: number }> {
    const body = `grant_type=client_credentials${a.scope ? `&scope=${percentEncode(a.scope)}` : ''}`;
    let res: OutboundResponse;
    try {
      // No redirects: the client's credentials go to the token URL the customer named, nowhere else.
      res = await this.outbound.request(a.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(a.clientId)}:${encodeURIComponent(a.clientSecret)}`).toString('base64')}`,
        },
        body,
        timeoutMs: this.options.pageTimeoutMs,
        maxBytes: 1024 * 1024,
      });
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      throw new AppError('SOURCE_UNREACHABLE', `The OAuth 2 token URL ${redact(a.tokenUrl)} could not be reached: ${networkWords(err)}.`);
    }
    const bytes = res.body;
    if (res.status !== 200) {
      throw new AppError('SOURCE_AUTH_FAILED', `The OAuth 2 token URL refused the client credentials (HTTP ${res.status}). Check the consumer key, secret and scope.`);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown } = {};
    try {
      parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
    } catch {
      // Reported below as a missing token.
    }
    if (typeof parsed.access_token !== 'string' || !parsed.access_token) {
      throw new AppError('SOURCE_AUTH_FAILED', 'The OAuth 2 token URL answered without an access_token.');
    }
    const lifetime = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 3600;
    // Renew a little early so a token does not expire between signing and arriving.
    return { value: parsed.access_token, expiresAt: Date.now() + Math.max(1, lifetime - 30) * 1000 };
  }
}

interface Fetched {
  bytes: Buffer;
  headers: Headers;
}

/** Redirects a page request may follow (each checked like the first address). */
const MAX_REDIRECTS = 5;

function totalOf(headers: Headers): number | null {
  const raw = headers.get('x-total-count');
  if (raw === null || !/^\s*\d+\s*$/.test(raw)) return null;
  return Number(raw);
}

/**
 * The `rel="next"` target of a Link header (RFC 8288), resolved against the page's URL. Lenient:
 * some providers leave out the angle brackets.
 */
export function nextLink(header: string | null, base: string): string | null {
  if (!header) return null;
  for (const part of header.split(/,\s*(?=<|https?:\/\/)/i)) {
    // Target and parameters are split at the first ';' by hand: one pattern over both was cubic in a run of blanks.
    const semi = part.indexOf(';');
    const target = semi < 0 ? undefined : /^<?([^<>]*)>?$/.exec(part.slice(0, semi).trim())?.[1]?.trim();
    const rel = target ? /\brel\s*=\s*"?([^";]*)"?/i.exec(part.slice(semi + 1)) : null;
    if (target && rel?.[1]?.toLowerCase().split(/\s+/).includes('next')) return new URL(target, base).toString();
  }
  return null;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null): number | null {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

// The imsx status description of an error answer, if it has one (three shapes in the wild).
function describeStatus(bytes: Buffer): string {
  try {
    const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    const info = (body.imsx_statusInfo ?? (Array.isArray(body.statusInfoSet) ? body.statusInfoSet[0] : body)) as { imsx_description?: unknown } | undefined;
    return typeof info?.imsx_description === 'string' && info.imsx_description
      ? `: ${info.imsx_description
          .replace(/[\p{C}\s]+/gu, ' ')
          .trim()
          .slice(0, 200)}`
      : '';
  } catch {
    return '';
  }
}

// A failed connection in words: TLS said plainly (its bare code tells a person little), the rest as the guard reported it.
function networkWords(err: OutboundError): string {
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (/CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) {
    return `TLS failed (${code}): the server's certificate is not trusted for this name, or it does not speak https on this port`;
  }
  return `network error (${err.message})`;
}

// Why a 200 answer is not the collection: not JSON at all (an HTML page, a proxy's notice), or JSON of another shape.
function describeBody(bytes: Buffer, collection: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    const start = bytes
      .toString('utf8', 0, 60)
      .replace(/[\p{C}\s]+/gu, ' ')
      .trim();
    return `is not JSON (it begins "${start}"); check the API URL.`;
  }
  const keys = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.keys(parsed).slice(0, 5) : [];
  return `is JSON but not a OneRoster ${collection} collection (no "${collection}" list${keys.length ? `; it has ${keys.map((k) => `"${k}"`).join(', ')}` : ''}); check the API URL and the OneRoster version.`;
}

// A URL for messages: the query is kept (it says which page) but never holds a secret here.
function redact(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return decodeURIComponent(u.toString());
}
