/*
 * A OneRoster REST provider for tests and benchmarks, written from the spec (reference §2): a real
 * HTTP server on a loopback port serving the rostering collections of 1.1 (`/ims/oneroster/v1p1`)
 * or 1.2 (`/ims/oneroster/rostering/v1p2`) with the spec's JSON shapes (GUIDRef objects, userIds
 * items, 1.2 roles inside users), paging by `Link: <…>; rel="next"` (opaque cursors) or by
 * limit/offset with `X-Total-Count`, `filter` on dateLastModified/status/sourcedId, OAuth 1.0a
 * verified with the oauth-1.0a package (not Lectern's signer) or OAuth 2 client credentials with a
 * token endpoint, and switches that inject 429s, 500s, slow pages, truncated paging and bodies
 * that are not OneRoster.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OAuth from 'oauth-1.0a';
import { readBundle } from '../../src/rostering/oneroster/reader.js';

export const PROVIDER_COLLECTIONS = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments'] as const;
export type ProviderCollection = (typeof PROVIDER_COLLECTIONS)[number];
export type RestObject = Record<string, unknown> & { sourcedId: string; status: string; dateLastModified: string };
export type ProviderData = Record<ProviderCollection, RestObject[]>;

/** How the provider authenticates callers. */
export type ProviderAuth = { kind: 'oauth1'; key: string; secret: string } | { kind: 'oauth2'; clientId: string; clientSecret: string; expiresIn?: number };

/** Faults to inject; each applies to API requests (not the token endpoint) until cleared. */
export interface ProviderFaults {
  /** Answer the next n requests 429 with this Retry-After (seconds). */
  tooMany: { count: number; retryAfter: string } | null;
  /** Answer the next n requests 500. */
  serverErrors: number;
  /** Delay the page of `collection` that starts at `offset` by `ms`. */
  slow: { collection: ProviderCollection; offset: number; ms: number } | null;
  /**
   * Broken paging of one collection: `short` announces every row but stops serving halfway,
   * `repeat` ignores the offset, `loop` links the second page to itself.
   */
  truncate: { collection: ProviderCollection; kind: 'short' | 'repeat' | 'loop' } | null;
  /** Answer 200 with a body that is not a OneRoster collection. */
  badBody: ProviderCollection | null;
  /** Revoke every token once this many API requests have been answered. */
  revokeTokensAfter: number | null;
}

/** One API request as the provider saw it. */
export interface ProviderRequest {
  collection: string;
  query: Record<string, string>;
  status: number;
  /** The OAuth 1.0a signature method used, or `bearer`. */
  auth: string;
}

/** A running provider. */
export interface OneRosterProvider {
  /** The base URL of the collections, e.g. http://127.0.0.1:PORT/ims/oneroster/v1p1 */
  url: string;
  origin: string;
  tokenUrl: string;
  data: ProviderData;
  faults: ProviderFaults;
  requests: ProviderRequest[];
  tokensIssued: number;
  /** Makes every issued token invalid (as a provider restart or revocation would). */
  revokeTokens(): void;
  /** Replaces (by sourcedId) or appends an object, stamping dateLastModified now. */
  put(collection: ProviderCollection, obj: Partial<RestObject> & { sourcedId: string }): void;
  close(): Promise<void>;
}

/** Options of startOneRosterProvider. */
export interface ProviderOptions {
  version?: '1.1' | '1.2';
  paging?: 'link' | 'offset';
  auth: ProviderAuth;
  /** The largest `limit` honoured (providers cap it). */
  maxLimit?: number;
}

const BASES = { '1.1': '/ims/oneroster/v1p1', '1.2': '/ims/oneroster/rostering/v1p2' } as const;

/** Starts a provider on 127.0.0.1 with no data; fill `data` (see restDataFromBundle) before pulling. */
export async function startOneRosterProvider(opts: ProviderOptions): Promise<OneRosterProvider> {
  const version = opts.version ?? '1.1';
  const paging = opts.paging ?? 'offset';
  const maxLimit = opts.maxLimit ?? 5000;
  const nonces = new Set<string>();
  let tokens = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const provider: OneRosterProvider = {
    url: '',
    origin: '',
    tokenUrl: '',
    data: { orgs: [], academicSessions: [], courses: [], classes: [], users: [], enrollments: [] },
    faults: { tooMany: null, serverErrors: 0, slow: null, truncate: null, badBody: null, revokeTokensAfter: null },
    requests: [],
    tokensIssued: 0,
    revokeTokens: () => {
      tokens = new Map();
    },
    put: (collection, obj) => {
      const list = provider.data[collection];
      const at = list.findIndex((o) => o.sourcedId === obj.sourcedId);
      const next = { ...(at >= 0 ? list[at] : { status: 'active' }), ...obj, dateLastModified: new Date().toISOString() } as RestObject;
      if (at >= 0) list[at] = next;
      else list.push(next);
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers });
    res.end(text);
  };
  const failure = (description: string, minor: string) => ({
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: minor }] },
  });

  // Which scheme signed the request, or null when it does not verify.
  const authenticate = (req: http.IncomingMessage, url: string): string | null => {
    const header = req.headers.authorization ?? '';
    const a = opts.auth;
    if (a.kind === 'oauth2') {
      const m = /^Bearer (.+)$/.exec(header);
      const expires = m?.[1] ? tokens.get(m[1]) : undefined;
      return expires !== undefined && expires > Date.now() ? 'bearer' : null;
    }
    if (!header.startsWith('OAuth ')) return null;
    const params: Record<string, string> = {};
    for (const part of header.slice(6).split(',')) {
      const m = /^\s*([^=]+)="([^"]*)"\s*$/.exec(part);
      if (m?.[1]) params[decodeURIComponent(m[1])] = decodeURIComponent(m[2] ?? '');
    }
    const method = params.oauth_signature_method;
    if (params.oauth_consumer_key !== a.key || (method !== 'HMAC-SHA1' && method !== 'HMAC-SHA256')) return null;
    if (Math.abs(Date.now() / 1000 - Number(params.oauth_timestamp)) > 300 || !params.oauth_nonce || nonces.has(params.oauth_nonce)) return null;
    const signer = new OAuth({
      consumer: { key: a.key, secret: a.secret },
      signature_method: method,
      hash_function: (base, key) =>
        crypto
          .createHmac(method === 'HMAC-SHA1' ? 'sha1' : 'sha256', key)
          .update(base)
          .digest('base64'),
    });
    const oauthData = {
      oauth_consumer_key: a.key,
      oauth_nonce: params.oauth_nonce,
      oauth_signature_method: method,
      oauth_timestamp: Number(params.oauth_timestamp),
      oauth_version: params.oauth_version ?? '1.0',
    };
    const expected = signer.getSignature({ url, method: 'GET' }, undefined, oauthData);
    const sent = params.oauth_signature ?? '';
    if (expected.length !== sent.length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(sent))) return null;
    nonces.add(params.oauth_nonce);
    return method;
  };

  const token = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => {
    const a = opts.auth;
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent) : [];
    const form = new URLSearchParams(body);
    if (a.kind !== 'oauth2' || id !== a.clientId || secret !== a.clientSecret || form.get('grant_type') !== 'client_credentials') {
      return send(res, 401, { error: 'invalid_client' });
    }
    const value = crypto.randomBytes(16).toString('hex');
    const expiresIn = a.expiresIn ?? 3600;
    tokens.set(value, Date.now() + expiresIn * 1000);
    provider.tokensIssued++;
    send(res, 200, { access_token: value, token_type: 'bearer', expires_in: expiresIn, scope: form.get('scope') ?? '' });
  };

  const api = (req: http.IncomingMessage, res: http.ServerResponse, requestUrl: URL) => {
    const collection = requestUrl.pathname.slice(BASES[version].length + 1);
    const query = Object.fromEntries(requestUrl.searchParams);
    const log = (status: number, auth: string) => {
      provider.requests.push({ collection, query, status, auth });
      if (provider.requests.length === provider.faults.revokeTokensAfter) provider.revokeTokens();
    };
    const scheme = authenticate(req, `${provider.origin}${req.url}`);
    if (!scheme) {
      log(401, 'none');
      return send(res, 401, failure('Unauthorized', 'unauthorisedrequest'));
    }
    const f = provider.faults;
    if (f.tooMany && f.tooMany.count > 0) {
      f.tooMany.count--;
      log(429, scheme);
      return send(res, 429, failure('Too many requests', 'server_busy'), { 'retry-after': f.tooMany.retryAfter });
    }
    if (f.serverErrors > 0) {
      f.serverErrors--;
      log(500, scheme);
      return send(res, 500, failure('Internal error', 'internal_server_error'));
    }
    if (!(PROVIDER_COLLECTIONS as readonly string[]).includes(collection)) {
      log(404, scheme);
      return send(res, 404, failure('Unknown object', 'unknownobject'));
    }
    const name = collection as ProviderCollection;
    if (f.badBody === name) {
      log(200, scheme);
      return send(res, 200, '<html><body>Maintenance</body></html>');
    }
    const predicate = filterOf(query.filter);
    if (!predicate) {
      log(400, scheme);
      return send(res, 400, failure(`Invalid filter: ${query.filter}`, 'invalid_filter_field'));
    }
    // Unfiltered pages slice the collection as it is: copying 400,000 enrollments per page would make the provider the bottleneck.
    const rows = query.filter ? provider.data[name].filter(predicate) : provider.data[name];
    const limit = Math.min(maxLimit, Math.max(1, Number(query.limit ?? 100) || 100));
    const cursor = query.cursor ? Number(Buffer.from(query.cursor, 'base64url').toString()) : Number(query.offset ?? 0) || 0;
    const broken = f.truncate?.collection === name ? f.truncate.kind : null;
    const offset = broken === 'repeat' ? 0 : cursor;
    const served = broken === 'short' && offset >= Math.floor(rows.length / 2) ? [] : rows.slice(offset, offset + limit);
    const headers: Record<string, string> = {};
    if (paging === 'offset') headers['x-total-count'] = String(rows.length);
    else if (offset + limit < rows.length || (broken === 'loop' && offset > 0)) {
      const link = (at: number) => {
        const u = new URL(`${provider.url}/${name}`);
        u.searchParams.set('limit', String(limit));
        if (query.filter) u.searchParams.set('filter', query.filter);
        u.searchParams.set('cursor', Buffer.from(String(at)).toString('base64url'));
        return u.toString();
      };
      // A looping provider sends page 2 back to page 2.
      const next = broken === 'loop' && offset > 0 ? link(offset) : link(offset + limit);
      headers.link = `<${next}>; rel="next", <${link(0)}>; rel="first"`;
    }
    const answer = () => {
      log(200, scheme);
      send(res, 200, { [name]: name === 'users' ? served.map((o) => toVersion(o, version)) : served }, headers);
    };
    const slow = f.slow?.collection === name && f.slow.offset === offset ? f.slow.ms : 0;
    if (!slow) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) answer();
    }, slow);
    timers.add(timer);
  };

  const server = http.createServer((req, res) => {
    const requestUrl = new URL(req.url ?? '/', provider.origin);
    if (req.method === 'POST' && requestUrl.pathname === '/oauth/token') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => token(req, body, res));
      return;
    }
    if (req.method === 'GET' && requestUrl.pathname.startsWith(`${BASES[version]}/`)) return api(req, res, requestUrl);
    send(res, 404, failure('Not found', 'unknownobject'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  provider.origin = `http://127.0.0.1:${port}`;
  provider.url = `${provider.origin}${BASES[version]}`;
  provider.tokenUrl = `${provider.origin}/oauth/token`;
  return provider;
}

// The filter grammar of reference §2.3 on the fields tests need: `field op 'value'`, one predicate.
function filterOf(filter: string | undefined): ((o: RestObject) => boolean) | null {
  if (!filter) return () => true;
  const m = /^(dateLastModified|status|sourcedId)(>=|<=|!=|>|<|=)'(.*)'$/.exec(filter);
  if (!m) return null;
  const [, field, op, raw] = m as unknown as [string, 'dateLastModified' | 'status' | 'sourcedId', string, string];
  const isTime = field === 'dateLastModified';
  if (isTime && Number.isNaN(Date.parse(raw))) return null;
  const value = isTime ? Date.parse(raw) : raw;
  return (o) => {
    const v = isTime ? Date.parse(o[field]) : o[field];
    return op === '>' ? v > value : op === '>=' ? v >= value : op === '<' ? v < value : op === '<=' ? v <= value : op === '=' ? v === value : v !== value;
  };
}

// Users are kept in the 1.1 shape; 1.2 moves a user's role and orgs into roles[] and primaryOrg.
const ROLE_1_2: Record<string, string> = { administrator: 'siteAdministrator' };
function toVersion(o: RestObject, version: '1.1' | '1.2'): RestObject {
  if (version === '1.1') return o;
  const { role, orgs, ...rest } = o as RestObject & { role: string; orgs: { sourcedId: string }[] };
  return {
    ...rest,
    roles: (orgs ?? []).map((org, i) => ({ roleType: i === 0 ? 'primary' : 'secondary', role: ROLE_1_2[role] ?? role, org })),
    primaryOrg: orgs?.[0],
  };
}

/**
 * A bundle's records as 1.1 REST objects of a provider at `baseUrl` (every record active, last
 * modified at `modifiedAt`): the same roster a ZIP import of the bundle gives.
 */
export async function restDataFromBundle(path: string, baseUrl: string, modifiedAt = new Date().toISOString()): Promise<ProviderData> {
  const data: ProviderData = { orgs: [], academicSessions: [], courses: [], classes: [], users: [], enrollments: [] };
  const ref = (type: string, collection: string, id: string | null | undefined) => (id ? { href: `${baseUrl}/${collection}/${id}`, sourcedId: id, type } : null);
  const refs = (type: string, collection: string, ids: string[]) => ids.map((id) => ref(type, collection, id));
  const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const report = await readBundle(path, {
    onRecords: (batch) => {
      for (const r of batch) {
        if (!r.ok) continue;
        const v = r.values as Record<string, unknown>;
        const base = { sourcedId: r.sourcedId, status: r.status, dateLastModified: modifiedAt };
        const list = (k: string) => (v[k] as string[] | undefined) ?? [];
        switch (r.table) {
          case 'orgs':
            data.orgs.push({ ...base, name: str(v.name), type: str(v.type), identifier: str(v.identifier), parent: ref('org', 'orgs', v.parentSourcedId as string) });
            break;
          case 'academicSessions':
            data.academicSessions.push({
              ...base,
              title: str(v.title),
              type: str(v.type),
              startDate: str(v.startDate),
              endDate: str(v.endDate),
              parent: ref('academicSession', 'academicSessions', v.parentSourcedId as string),
              schoolYear: str(v.schoolYear),
            });
            break;
          case 'courses':
            data.courses.push({
              ...base,
              title: str(v.title),
              schoolYear: ref('academicSession', 'academicSessions', v.schoolYearSourcedId as string),
              courseCode: str(v.courseCode),
              grades: list('grades'),
              subjects: list('subjects'),
              subjectCodes: list('subjectCodes'),
              org: ref('org', 'orgs', v.orgSourcedId as string),
            });
            break;
          case 'classes':
            data.classes.push({
              ...base,
              title: str(v.title),
              classCode: str(v.classCode),
              classType: str(v.classType),
              location: str(v.location),
              grades: list('grades'),
              subjects: list('subjects'),
              subjectCodes: list('subjectCodes'),
              periods: list('periods'),
              course: ref('course', 'courses', v.courseSourcedId as string),
              school: ref('org', 'orgs', v.schoolSourcedId as string),
              terms: refs('academicSession', 'academicSessions', list('termSourcedIds')),
            });
            break;
          case 'users@1.1':
            data.users.push({
              ...base,
              username: str(v.username),
              userIds: ((v.userIds as { type: string; id: string }[]) ?? []).map((u) => ({ type: u.type, identifier: u.id })),
              enabledUser: String(v.enabledUser),
              givenName: str(v.givenName),
              familyName: str(v.familyName),
              middleName: str(v.middleName),
              role: str(v.role),
              identifier: str(v.identifier),
              email: str(v.email),
              sms: str(v.sms),
              phone: str(v.phone),
              agents: refs('user', 'users', list('agentSourcedIds')),
              orgs: refs('org', 'orgs', list('orgSourcedIds')),
              grades: list('grades'),
              ...(v.password ? { password: str(v.password) } : {}),
            });
            break;
          case 'enrollments':
            data.enrollments.push({
              ...base,
              role: str(v.role),
              primary: String(v.primary ?? false),
              beginDate: v.beginDate ?? null,
              endDate: v.endDate ?? null,
              user: ref('user', 'users', v.userSourcedId as string),
              class: ref('class', 'classes', v.classSourcedId as string),
              school: ref('org', 'orgs', v.schoolSourcedId as string),
            });
            break;
        }
      }
    },
  });
  if (report.unusable) throw new Error(`the bundle ${path} is not usable: ${report.issues.map((i) => i.message).join('; ')}`);
  return data;
}
