import crypto from 'node:crypto';
import { safeEqual } from './tokens.js';

/*
 * OAuth 1.0a request signing (RFC 5849 §3.4) as LTI 1.1 launches, LTI Basic Outcomes and
 * OneRoster 1.1 REST use it: no token, so the HMAC key is `enc(consumerSecret) + "&"`.
 * Parameters are (name, value) pairs, never an object: names repeat in real requests.
 */

export type SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256';
export type Pair = [name: string, value: string];

/** RFC 3986 percent-encoding as RFC 5849 §3.6 requires: everything but unreserved characters, upper-case hex. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The base string URI (§3.4.1.2): lower-case scheme and host, default port dropped, no query or fragment. */
export function baseStringUri(url: string | URL): string {
  const u = new URL(url);
  const scheme = u.protocol.toLowerCase();
  const defaultPort = (scheme === 'http:' && u.port === '80') || (scheme === 'https:' && u.port === '443') || u.port === '';
  return `${scheme}//${u.hostname.toLowerCase()}${defaultPort ? '' : `:${u.port}`}${u.pathname || '/'}`;
}

/** The query string of a URL as pairs, decoded exactly once (a bare `?foo` is `foo=`). */
export function queryPairs(url: string | URL): Pair[] {
  return [...new URL(url).searchParams.entries()];
}

/** Normalised parameters (§3.4.1.3.2): encode, sort by name then value by byte order, join. */
export function normalizeParameters(pairs: Pair[]): string {
  return pairs
    .filter(([name]) => name !== 'oauth_signature')
    .map(([n, v]) => [percentEncode(n), percentEncode(v)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

/** The signature base string (§3.4.1.1); `pairs` are the body and Authorization parameters, the query is added from `url`. */
export function signatureBaseString(method: string, url: string | URL, pairs: Pair[]): string {
  return [method.toUpperCase(), percentEncode(baseStringUri(url)), percentEncode(normalizeParameters([...queryPairs(url), ...pairs]))].join('&');
}

/** HMAC signature of a base string with `enc(consumerSecret)&enc(tokenSecret)` as key, base64. */
export function hmacSignature(method: SignatureMethod, baseString: string, consumerSecret: string, tokenSecret = ''): string {
  const algorithm = method === 'HMAC-SHA256' ? 'sha256' : 'sha1';
  return crypto
    .createHmac(algorithm, `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`)
    .update(baseString)
    .digest('base64');
}

/** What a signer needs: the request and the consumer's credentials. */
export interface SignInput {
  method: string;
  url: string;
  consumerKey: string;
  consumerSecret: string;
  signatureMethod: SignatureMethod;
  /** Form body parameters that are signed too (empty for JSON or XML bodies). */
  bodyPairs?: Pair[];
  /** Extra oauth_* parameters such as oauth_body_hash or oauth_callback. */
  extraOAuth?: Pair[];
  nonce?: string;
  timestamp?: number;
}

/** Signs a request and returns its oauth_* parameters, oauth_signature last. */
export function signRequest(input: SignInput): Pair[] {
  const oauth: Pair[] = [
    ['oauth_consumer_key', input.consumerKey],
    ['oauth_nonce', input.nonce ?? crypto.randomBytes(16).toString('hex')],
    ['oauth_signature_method', input.signatureMethod],
    ['oauth_timestamp', String(input.timestamp ?? Math.floor(Date.now() / 1000))],
    ['oauth_version', '1.0'],
    ...(input.extraOAuth ?? []),
  ];
  const base = signatureBaseString(input.method, input.url, [...(input.bodyPairs ?? []), ...oauth]);
  return [...oauth, ['oauth_signature', hmacSignature(input.signatureMethod, base, input.consumerSecret)]];
}

/** An `Authorization: OAuth …` header value for signed oauth_* parameters. */
export function authorizationHeader(oauth: Pair[]): string {
  return `OAuth ${oauth.map(([n, v]) => `${percentEncode(n)}="${percentEncode(v)}"`).join(', ')}`;
}

/** The base64 SHA-1 (or SHA-256 with HMAC-SHA256) of the exact body bytes, for oauth_body_hash. */
export function bodyHash(body: Buffer | string, method: SignatureMethod): string {
  return crypto
    .createHash(method === 'HMAC-SHA256' ? 'sha256' : 'sha1')
    .update(body)
    .digest('base64');
}

/** Recomputes the signature over `pairs` (which carry oauth_signature) and compares in constant time. */
export function verifySignature(method: string, url: string | URL, pairs: Pair[], consumerSecret: string): boolean {
  const sent = pairs.find(([n]) => n === 'oauth_signature')?.[1];
  const signatureMethod = pairs.find(([n]) => n === 'oauth_signature_method')?.[1];
  if (!sent || (signatureMethod !== 'HMAC-SHA1' && signatureMethod !== 'HMAC-SHA256')) return false;
  const expected = hmacSignature(signatureMethod, signatureBaseString(method, url, pairs), consumerSecret);
  return safeEqual(expected, sent);
}
