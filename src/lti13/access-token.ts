/*
 * Access tokens for the LTI Advantage services (AGS, NRPS), from a platform's token endpoint by the
 * client-credentials grant with a JWT client assertion (Security Framework 1.0 §4.1, RFC 7523): the
 * assertion is signed with the tool's current key, names the client id as iss and sub and the token
 * endpoint itself as aud (DESIGN.md, "LTI 1.3 (LTI Advantage) customers").
 *
 * A token is cached per platform and scope set until 60 s before it expires: a reading session
 * sends many scores, and an LMS rate-limits its token endpoint. Concurrent callers share the request
 * in flight. A service that answers 401 has revoked or forgotten the token: `forget` drops the
 * platform's tokens, so the next call asks for a new one.
 *
 * Neither the assertion nor a token ever appears in an error message (which reaches logs and the
 * grade report): only the endpoint's host, the HTTP status and the platform's own error code and
 * description, sanitised and bounded.
 */
import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import { AppError } from '../errors.js';
import { OutboundError, type OutboundClient, type OutboundResponse } from '../security/outbound.js';
import type { ToolSigner } from './tool-keys.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The assertion lives long enough to cross a slow network, not long enough to be worth stealing. */
const ASSERTION_LIFETIME_S = 300;
/** A token is not used in its last minute: a score sent with it could arrive after it expired. */
const EXPIRY_MARGIN_MS = 60_000;
/** expires_in is RECOMMENDED, not required (RFC 6749 §5.1): without it, a token is kept this long. */
const DEFAULT_EXPIRES_IN_S = 300;
/** A platform that claims a year is not believed beyond a day. */
const MAX_EXPIRES_IN_S = 86_400;
const TIMEOUT_MS = 10_000;
/** A token answer is a few hundred bytes; more is not read. */
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_TOKEN_CHARS = 8192;

/** The platform registration a token is for. */
export interface TokenPlatform {
  /** The registration's id (tokens are cached per registration). */
  id: string;
  clientId: string;
  authTokenUrl: string;
}

/** What PlatformTokens needs; `now` is for tests. */
export interface PlatformTokensDeps {
  outbound: Pick<OutboundClient, 'request'>;
  /** The tool's current signing key (ToolKeys.signer). */
  signer: () => Promise<ToolSigner>;
  now?: () => Date;
  timeoutMs?: number;
}

interface Entry {
  token: string;
  expiresAt: number;
}

interface PlatformCache {
  /** Bumped by forget: a request in flight when the platform was forgotten does not refill the cache. */
  generation: number;
  tokens: Map<string, Entry>;
  inflight: Map<string, Promise<string>>;
}

/** The per-process cache of LTI Advantage access tokens; one instance serves every platform. */
export class PlatformTokens {
  private readonly outbound: Pick<OutboundClient, 'request'>;
  private readonly signer: () => Promise<ToolSigner>;
  private readonly now: () => Date;
  private readonly timeoutMs: number;
  private readonly platforms = new Map<string, PlatformCache>();

  constructor(deps: PlatformTokensDeps) {
    this.outbound = deps.outbound;
    this.signer = deps.signer;
    this.now = deps.now ?? (() => new Date());
    this.timeoutMs = deps.timeoutMs ?? TIMEOUT_MS;
  }

  /** A bearer token for these scopes from the platform's token endpoint (cached until 60 s before expiry). */
  token(platform: TokenPlatform, scopes: readonly string[]): Promise<string> {
    const cache = this.cacheOf(platform.id);
    const sorted = [...new Set(scopes)].sort();
    // The client id and endpoint are part of the key: an edited registration gets its own tokens.
    const key = JSON.stringify([platform.clientId, platform.authTokenUrl, sorted]);
    const cached = cache.tokens.get(key);
    if (cached && this.now().getTime() < cached.expiresAt) return Promise.resolve(cached.token);
    const pending = cache.inflight.get(key);
    if (pending) return pending;
    const generation = cache.generation;
    const request = this.request(platform, sorted).then(({ token, expiresInS }) => {
      if (cache.generation === generation) cache.tokens.set(key, { token, expiresAt: this.now().getTime() + expiresInS * 1000 - EXPIRY_MARGIN_MS });
      return token;
    });
    cache.inflight.set(key, request);
    const clear = () => {
      if (cache.inflight.get(key) === request) cache.inflight.delete(key);
    };
    request.then(clear, clear);
    return request;
  }

  /**
   * Makes one service call with a bearer token for these scopes; when the service answers 401 (the
   * platform revoked or forgot the token), forgets the platform's tokens and calls once more with a
   * new one. Returns the last answer, whatever its status.
   */
  async withToken(platform: TokenPlatform, scopes: readonly string[], call: (bearer: string) => Promise<OutboundResponse>): Promise<OutboundResponse> {
    const res = await call(await this.token(platform, scopes));
    if (res.status !== 401) return res;
    this.forget(platform.id);
    return call(await this.token(platform, scopes));
  }

  /** Drops the platform's cached tokens (a service answered 401): the next call asks for new ones. */
  forget(platformId: string): void {
    const cache = this.platforms.get(platformId);
    if (!cache) return;
    cache.generation++;
    cache.tokens.clear();
    cache.inflight.clear();
  }

  private cacheOf(platformId: string): PlatformCache {
    let cache = this.platforms.get(platformId);
    if (!cache) this.platforms.set(platformId, (cache = { generation: 0, tokens: new Map(), inflight: new Map() }));
    return cache;
  }

  private async request(platform: TokenPlatform, scopes: string[]): Promise<{ token: string; expiresInS: number }> {
    const host = hostOf(platform.authTokenUrl);
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: await this.assertion(platform),
      scope: scopes.join(' '),
    }).toString();
    let res;
    try {
      // No redirects: the assertion is for this URL (its aud), and a redirect would carry it elsewhere.
      res = await this.outbound.request(platform.authTokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        timeoutMs: this.timeoutMs,
        maxBytes: MAX_ANSWER_BYTES,
      });
    } catch (err) {
      if (err instanceof OutboundError) {
        throw new AppError(err.kind === 'timeout' ? 'SOURCE_TIMEOUT' : 'SOURCE_UNREACHABLE', `The LMS token endpoint at ${host} could not be reached: ${err.message}.`);
      }
      throw err;
    }
    const answer = parseJson(res.body);
    if (res.status !== 200) {
      const reason = platformError(answer);
      // 400 and 401 are the platform refusing the client or the scope (RFC 6749 §5.2): credentials, not an outage.
      const code = res.status === 400 || res.status === 401 ? 'SOURCE_AUTH_FAILED' : 'SOURCE_UNREACHABLE';
      throw new AppError(code, `The LMS token endpoint at ${host} answered HTTP ${res.status}${reason ? `: ${reason}` : ''}.`);
    }
    const token = answer?.access_token;
    if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_CHARS || /[^\x21-\x7e]/.test(token)) {
      throw new AppError('SOURCE_UNREACHABLE', `The LMS token endpoint at ${host} answered without a usable access_token.`);
    }
    if (typeof answer?.token_type === 'string' && answer.token_type.toLowerCase() !== 'bearer') {
      throw new AppError('SOURCE_UNREACHABLE', `The LMS token endpoint at ${host} answered a token of type ${sanitise(answer.token_type, 40)}, not Bearer.`);
    }
    const expiresIn = Number(answer?.expires_in);
    const expiresInS = Number.isFinite(expiresIn) && expiresIn > 0 ? Math.min(expiresIn, MAX_EXPIRES_IN_S) : DEFAULT_EXPIRES_IN_S;
    return { token, expiresInS };
  }

  // The RFC 7523 client assertion: signed by the tool key, for this endpoint only, used once (jti).
  private async assertion(platform: TokenPlatform): Promise<string> {
    const signer = await this.signer();
    const iat = Math.floor(this.now().getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'JWT' })
      .setIssuer(platform.clientId)
      .setSubject(platform.clientId)
      .setAudience(platform.authTokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_S)
      .setJti(crypto.randomUUID())
      .sign(signer.privateKey);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(an invalid URL)';
  }
}

function parseJson(body: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// The platform's error and error_description (RFC 6749 §5.2), as one short printable line.
function platformError(answer: Record<string, unknown> | null): string {
  if (!answer) return '';
  const error = typeof answer.error === 'string' ? sanitise(answer.error, 60) : '';
  const description = typeof answer.error_description === 'string' ? sanitise(answer.error_description, 200) : '';
  return [error, description && `(${description})`].filter(Boolean).join(' ');
}

/** One line of printable text, at most `max` characters, with anything shaped like a JWT blanked (a platform may echo the assertion). */
export function sanitise(text: string, max: number): string {
  const line = text
    .replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[jwt]')
    .replace(/[\p{C}\s]+/gu, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
