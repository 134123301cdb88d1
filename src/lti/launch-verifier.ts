import crypto from 'node:crypto';
import { AppError, type ErrorCode } from '../errors.js';
import { verifySignature, type Pair } from '../security/oauth1.js';
import { addMs } from '../time.js';

/** The customer an LTI consumer key belongs to, with its shared secret in clear. */
export interface LtiConsumer {
  customerId: string;
  sharedSecret: string;
  active: boolean;
}

/** What the verifier needs from the rest of the app. */
export interface LaunchVerifierDeps {
  /** The public origin the LMS was given (LECTERN_PUBLIC_URL), e.g. https://reader.example.org. */
  publicUrl: string;
  findConsumer(consumerKey: string): Promise<LtiConsumer | null>;
  claimNonce(consumerKey: string, nonce: string, expiresAt: string, now: string): Promise<boolean>;
  /** Allowed clock difference either way, in seconds (default 300). */
  windowSeconds?: number;
  now?: () => Date;
}

/** A verified launch: its parameters (first value of each name) and its customer. */
export interface VerifiedLaunch {
  customerId: string;
  consumerKey: string;
  params: Map<string, string>;
  /** launch_presentation_return_url when it is an http(s) URL: safe to redirect to, the signature covers it. */
  returnUrl: string | null;
}

/**
 * A rejected launch. `returnUrl` is set only when the signature verified, so an unverified request
 * can never make Lectern redirect somewhere (no open redirect).
 */
export class LaunchError extends AppError {
  constructor(
    code: ErrorCode,
    readonly returnUrl: string | null,
    readonly logMessage: string,
  ) {
    super(code);
  }
}

const REQUIRED_OAUTH = ['oauth_consumer_key', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_nonce'];

// Verifying with this secret costs what a real one does, so unknown keys take as long as known ones.
const DUMMY_SECRET = crypto.randomBytes(24).toString('base64url');

/**
 * Verifies an LTI 1.1 basic launch (OAuth 1.0a body signing, RFC 5849): the base string URI comes
 * from the configured public URL plus the request's path and query, never from Host or forwarded
 * headers. Order: shape → signature → timestamp → nonce → LTI parameters → customer state.
 */
export async function verifyLaunch(deps: LaunchVerifierDeps, pathAndQuery: string, body: Pair[]): Promise<VerifiedLaunch> {
  const now = deps.now?.() ?? new Date();
  const window = deps.windowSeconds ?? 300;
  const counts = new Map<string, number>();
  for (const [name] of body) counts.set(name, (counts.get(name) ?? 0) + 1);
  const first = new Map<string, string>();
  for (const [name, value] of body) if (!first.has(name)) first.set(name, value);

  const missing = REQUIRED_OAUTH.filter((n) => !first.get(n));
  if (missing.length) throw new LaunchError('LTI_INVALID_LAUNCH', null, `missing ${missing.join(', ')}`);
  const duplicated = [...counts].filter(([n, c]) => n.startsWith('oauth_') && c > 1).map(([n]) => n);
  if (duplicated.length) throw new LaunchError('LTI_INVALID_LAUNCH', null, `duplicated ${duplicated.join(', ')}`);
  const method = first.get('oauth_signature_method');
  if (method !== 'HMAC-SHA1' && method !== 'HMAC-SHA256') throw new LaunchError('LTI_UNSUPPORTED_SIGNATURE', null, `signature method ${method}`);
  const version = first.get('oauth_version');
  if (version !== undefined && version !== '1.0') throw new LaunchError('LTI_INVALID_LAUNCH', null, `oauth_version ${version}`);

  const consumerKey = first.get('oauth_consumer_key')!;
  const consumer = await deps.findConsumer(consumerKey);
  const url = new URL(pathAndQuery, deps.publicUrl);
  const secret = consumer?.sharedSecret ?? DUMMY_SECRET;
  let valid = verifySignature('POST', url, body, secret);
  if (!valid && url.search && canvasDuplicatedQuery(url, body)) {
    // Canvas copies the launch URL's query into the body and signs it once (canvas-lms#600).
    valid = verifySignature('POST', new URL(url.pathname, url), body, secret);
  }
  if (!consumer || !valid) throw new LaunchError('LTI_INVALID_SIGNATURE', null, consumer ? 'signature mismatch' : `unknown consumer key ${consumerKey}`);

  const returnUrl = safeReturnUrl(first.get('launch_presentation_return_url'));
  const timestamp = Number(first.get('oauth_timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > window) {
    throw new LaunchError('LTI_EXPIRED', returnUrl, `timestamp ${first.get('oauth_timestamp')} outside ±${window}s`);
  }
  const nowIso = now.toISOString();
  // Keep a nonce for twice the window: a timestamp can be up to one window in the future.
  if (!(await deps.claimNonce(consumerKey, first.get('oauth_nonce')!, addMs(nowIso, 2 * window * 1000), nowIso))) {
    throw new LaunchError('LTI_REPLAYED', returnUrl, 'nonce already used');
  }
  if (first.get('lti_message_type') !== 'basic-lti-launch-request') {
    throw new LaunchError('LTI_INVALID_LAUNCH', returnUrl, `lti_message_type ${first.get('lti_message_type') ?? '(missing)'}`);
  }
  if (first.get('lti_version') !== 'LTI-1p0') throw new LaunchError('LTI_INVALID_LAUNCH', returnUrl, `lti_version ${first.get('lti_version') ?? '(missing)'}`);
  if (!first.get('resource_link_id')) throw new LaunchError('LTI_INVALID_LAUNCH', returnUrl, 'missing resource_link_id');
  if (!consumer.active) throw new LaunchError('CUSTOMER_DISABLED', returnUrl, 'customer disabled');
  // Parameters an LMS put in the launch URL's query (signed too) count where the body lacks them.
  for (const [name, value] of url.searchParams) if (!first.has(name)) first.set(name, value);
  return { customerId: consumer.customerId, consumerKey, params: first, returnUrl };
}

function canvasDuplicatedQuery(url: URL, body: Pair[]): boolean {
  const inBody = new Set(body.map(([n, v]) => `${n}\u0000${v}`));
  return [...url.searchParams].every(([n, v]) => inBody.has(`${n}\u0000${v}`));
}

function safeReturnUrl(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** The return URL with `lti_errormsg` (for the person) and `lti_errorlog` (for the LMS log) added. */
export function returnUrlWithError(returnUrl: string, message: string, log: string): string {
  const u = new URL(returnUrl);
  u.searchParams.set('lti_errormsg', message);
  u.searchParams.set('lti_errorlog', log.slice(0, 200));
  return u.toString();
}
