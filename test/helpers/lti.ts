import crypto from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { Pair } from '../../src/security/oauth1.js';

/** Launch parameters an LMS typically sends (without the oauth_* ones). */
export function launchParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    lti_message_type: 'basic-lti-launch-request',
    lti_version: 'LTI-1p0',
    resource_link_id: 'link-1',
    user_id: 'lms-user-42',
    roles: 'Learner',
    lis_person_name_given: 'Siân',
    lis_person_contact_email_primary: 'sian+reader@lincoln.example',
    launch_presentation_return_url: 'https://lms.example.edu/courses/1/return',
    oauth_callback: 'about:blank',
    ...overrides,
  };
}

/**
 * Signs a launch the way an LMS does, with an independent implementation (the oauth-1.0a package),
 * and returns the form body as ordered pairs.
 */
export function signLaunch(opts: {
  url: string;
  key: string;
  secret: string;
  params?: Record<string, string>;
  method?: 'HMAC-SHA1' | 'HMAC-SHA256';
  timestamp?: number;
  nonce?: string;
}): Pair[] {
  const method = opts.method ?? 'HMAC-SHA1';
  const oauth = new OAuth({
    consumer: { key: opts.key, secret: opts.secret },
    signature_method: method,
    hash_function: (base, key) => crypto.createHmac(method === 'HMAC-SHA1' ? 'sha1' : 'sha256', key).update(base).digest('base64'),
  });
  if (opts.timestamp !== undefined) oauth.getTimeStamp = () => opts.timestamp!;
  if (opts.nonce !== undefined) oauth.getNonce = () => opts.nonce!;
  const params = opts.params ?? launchParams();
  // oauth-1.0a merges the URL's query into the objects it is given and returns: pass copies, keep oauth_* only.
  const signed = oauth.authorize({ url: opts.url, method: 'POST', data: { ...params } });
  const oauthPairs = Object.entries(signed).filter(([k]) => k.startsWith('oauth_') && !(k in params));
  return [...Object.entries(params), ...oauthPairs.map(([k, v]) => [k, String(v)] as Pair)];
}

/** The pairs as an application/x-www-form-urlencoded body. */
export function formBody(pairs: Pair[]): string {
  return new URLSearchParams(pairs).toString();
}
