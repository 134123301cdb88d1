/*
 * The platforms' public keys (their JWKS), which verify LTI 1.3 id_tokens. One cache entry per
 * jwksUrl, fetched through the guarded outbound client (a registration's URL is customer-supplied)
 * and kept as long as the platform's HTTP headers say (Cache-Control max-age less Age, else
 * Expires), within a floor (a platform that says no-cache is not fetched on every launch) and a
 * ceiling (a key the platform withdrew stops verifying within a day).
 *
 * A token whose `kid` the cached set lacks may mean the platform rotated its keys: the set is
 * fetched again, once, and the key looked up again. But anyone can post a token with a made-up
 * `kid`, so a URL is fetched at most once every `refetchGapSeconds` (a failed fetch waits as long):
 * a flood of forged kids costs the LMS one request per gap, not one per launch. Concurrent
 * launches share one fetch in flight.
 */
import { importJWK, type CryptoKey, type JWSHeaderParameters } from 'jose';
import { OutboundError, type OutboundClient } from '../security/outbound.js';
import { AppError } from '../errors.js';
import { Lti13Error } from './errors.js';

/** Finds the key that verifies a token, given its protected header (bound to one platform). */
export type KeyResolver = (header: JWSHeaderParameters) => Promise<CryptoKey>;

/** How the cache behaves; every field has a default. */
export interface PlatformKeysOptions {
  outbound: Pick<OutboundClient, 'request'>;
  /** Shortest time a fetched set is kept, whatever the headers say (default 60 s). */
  minTtlSeconds?: number;
  /** Longest time a fetched set is kept (default 24 h). */
  maxTtlSeconds?: number;
  /** Time kept when the answer has no caching headers (default 15 min). */
  defaultTtlSeconds?: number;
  /** Least time between two fetches of one URL outside expiry (unknown kid, failure; default 30 s). */
  refetchGapSeconds?: number;
  /** Whole request, redirects included (default 5 s). */
  timeoutMs?: number;
  /** Largest JWKS read (default 256 KiB). */
  maxBytes?: number;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

interface KeySet {
  byKid: Map<string, CryptoKey>;
  all: CryptoKey[];
}

interface UrlState {
  set: KeySet | null;
  expiresAt: number;
  lastAttemptAt: number;
  lastError: Lti13Error | null;
  inflight: Promise<KeySet> | null;
}

/** The per-process cache of platform key sets; one instance serves every registration. */
export class PlatformKeys {
  private readonly states = new Map<string, UrlState>();
  private readonly outbound: Pick<OutboundClient, 'request'>;
  private readonly minTtl: number;
  private readonly maxTtl: number;
  private readonly defaultTtl: number;
  private readonly gap: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(opts: PlatformKeysOptions) {
    this.outbound = opts.outbound;
    this.minTtl = (opts.minTtlSeconds ?? 60) * 1000;
    this.maxTtl = (opts.maxTtlSeconds ?? 86_400) * 1000;
    this.defaultTtl = (opts.defaultTtlSeconds ?? 900) * 1000;
    this.gap = (opts.refetchGapSeconds ?? 30) * 1000;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxBytes = opts.maxBytes ?? 256 * 1024;
    this.now = opts.now ?? Date.now;
  }

  /** A resolver for one platform's JWKS URL, to pass to verifyIdToken as `keys`. */
  forUrl(jwksUrl: string): KeyResolver {
    return (header) => this.getKey(jwksUrl, header);
  }

  /**
   * The RS256 public key named by `header.kid` (or the only key, when the token names none and the
   * set has one) in the JWKS at `jwksUrl`; throws Lti13Error LTI13_UNKNOWN_KID or LTI13_JWKS_UNAVAILABLE.
   */
  async getKey(jwksUrl: string, header: Pick<JWSHeaderParameters, 'kid'>): Promise<CryptoKey> {
    const state = this.stateOf(jwksUrl);
    let fetched = false;
    let set = state.set;
    if (!set || this.now() >= state.expiresAt) {
      set = await this.refresh(jwksUrl, state);
      fetched = true;
    }
    let key = pick(set, header.kid);
    if (key) return key;
    if (!fetched && (state.inflight || this.now() - state.lastAttemptAt >= this.gap)) {
      set = await this.refresh(jwksUrl, state);
      key = pick(set, header.kid);
      if (key) return key;
    }
    const named = typeof header.kid === 'string' ? `kid ${JSON.stringify(header.kid.slice(0, 100))}` : 'no kid';
    throw new Lti13Error('LTI13_UNKNOWN_KID', `token names ${named}; ${jwksUrl} publishes ${set.byKid.size ? [...set.byKid.keys()].slice(0, 10).join(', ') : `${set.all.length} key(s) without kid`}`);
  }

  private stateOf(url: string): UrlState {
    let state = this.states.get(url);
    if (!state) {
      state = { set: null, expiresAt: 0, lastAttemptAt: Number.NEGATIVE_INFINITY, lastError: null, inflight: null };
      this.states.set(url, state);
    }
    return state;
  }

  // One fetch in flight per URL; after a failure, the same error until the gap has passed.
  private refresh(url: string, state: UrlState): Promise<KeySet> {
    if (state.inflight) return state.inflight;
    if (state.lastError && this.now() - state.lastAttemptAt < this.gap) return Promise.reject(state.lastError);
    state.lastAttemptAt = this.now();
    const inflight = this.fetchSet(url).then(
      ({ set, ttl }) => {
        state.set = set;
        state.expiresAt = this.now() + ttl;
        state.lastError = null;
        return set;
      },
      (err: Lti13Error) => {
        state.lastError = err;
        throw err;
      },
    );
    state.inflight = inflight;
    const clear = () => {
      if (state.inflight === inflight) state.inflight = null;
    };
    inflight.then(clear, clear);
    return inflight;
  }

  private async fetchSet(url: string): Promise<{ set: KeySet; ttl: number }> {
    let res;
    try {
      // Redirects are followed (each hop checked by the guard): Canvas moved its keys to another host.
      res = await this.outbound.request(url, { method: 'GET', headers: { accept: 'application/jwk-set+json, application/json' }, timeoutMs: this.timeoutMs, maxBytes: this.maxBytes, maxRedirects: 3 });
    } catch (err) {
      if (err instanceof OutboundError || err instanceof AppError) throw unavailable(url, err.message, err);
      throw err;
    }
    if (res.status !== 200) throw unavailable(url, `HTTP ${res.status}`);
    let body: unknown;
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw unavailable(url, 'the answer is not JSON');
    }
    const keys = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw unavailable(url, 'the answer has no "keys" array');
    const set: KeySet = { byKid: new Map(), all: [] };
    for (const jwk of keys) {
      const key = await importVerificationKey(jwk);
      if (!key) continue;
      set.all.push(key);
      const kid = (jwk as { kid?: unknown }).kid;
      // A kid listed twice keeps its first key: the platform's order, not the attacker's choice.
      if (typeof kid === 'string' && !set.byKid.has(kid)) set.byKid.set(kid, key);
    }
    if (!set.all.length) throw unavailable(url, 'the set has no RSA signing key usable with RS256');
    const fresh = freshnessMs(res.headers, this.now());
    return { set, ttl: Math.min(this.maxTtl, Math.max(this.minTtl, fresh ?? this.defaultTtl)) };
  }
}

function pick(set: KeySet, kid: string | undefined): CryptoKey | null {
  if (typeof kid === 'string') return set.byKid.get(kid) ?? null;
  // Without a kid, only an unambiguous set answers: trying every key would let any of them sign.
  return set.all.length === 1 ? set.all[0]! : null;
}

// An RSA signature key for RS256, imported from its public parts only (a private part, if a
// platform wrongly published one, is ignored); anything else in the set is skipped.
async function importVerificationKey(jwk: unknown): Promise<CryptoKey | null> {
  if (!jwk || typeof jwk !== 'object') return null;
  const { kty, use, alg, key_ops: ops, n, e } = jwk as Record<string, unknown>;
  if (kty !== 'RSA' || typeof n !== 'string' || typeof e !== 'string') return null;
  if (use !== undefined && use !== 'sig') return null;
  if (alg !== undefined && alg !== 'RS256') return null;
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) return null;
  try {
    const key = await importJWK({ kty: 'RSA', n, e }, 'RS256');
    return key instanceof Uint8Array ? null : key;
  } catch {
    return null;
  }
}

/**
 * How long an answer may be kept by its headers (RFC 9111 §4.2.1), in ms; null when it does not
 * say. max-age (less Age) wins over Expires; no-store and no-cache mean "do not keep" (the floor
 * then applies).
 */
export function freshnessMs(headers: Headers, nowMs: number): number | null {
  const cacheControl = (headers.get('cache-control') ?? '').toLowerCase();
  const directives = cacheControl
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d+)"?$/.exec(d)).find((m) => m)?.[1];
  if (maxAge !== undefined) {
    const age = Number(headers.get('age') ?? 0);
    return Math.max(0, Number(maxAge) - (Number.isFinite(age) && age > 0 ? age : 0)) * 1000;
  }
  const expires = headers.get('expires');
  if (expires !== null) {
    const at = Date.parse(expires);
    // An invalid Expires (such as "0") means already expired.
    if (Number.isNaN(at)) return 0;
    const date = Date.parse(headers.get('date') ?? '');
    return Math.max(0, at - (Number.isNaN(date) ? nowMs : date));
  }
  return null;
}

function unavailable(url: string, why: string, cause?: unknown): Lti13Error {
  return new Lti13Error('LTI13_JWKS_UNAVAILABLE', `fetching ${url}: ${why}`, cause === undefined ? {} : { cause });
}
