import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
export function signLaunch(opts: { url: string; key: string; secret: string; params?: Record<string, string>; method?: 'HMAC-SHA1' | 'HMAC-SHA256'; timestamp?: number; nonce?: string }): Pair[] {
  const method = opts.method ?? 'HMAC-SHA1';
  const oauth = new OAuth({
    consumer: { key: opts.key, secret: opts.secret },
    signature_method: method,
    hash_function: (base, key) =>
      crypto
        .createHmac(method === 'HMAC-SHA1' ? 'sha1' : 'sha256', key)
        .update(base)
        .digest('base64'),
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

/** One replaceResult a test outcome service received and verified. */
export interface ReceivedOutcome {
  sourcedId: string;
  score: string;
  /** Why the request was not acceptable ('' when the body hash and signature verified). */
  problem: string;
}

/** What the test outcome service answers to the n-th request (1-based). */
export type OutcomeAnswer = 'success' | 'http500' | 'failure';

/** A test LMS outcome service (lti.md §5): checks oauth_body_hash and the signature with the oauth-1.0a package. */
export interface OutcomeService {
  /** The lis_outcome_service_url to launch with (it carries a query, as the IMS test consumer's does). */
  url: string;
  received: ReceivedOutcome[];
  close(): Promise<void>;
}

/** Starts a test outcome service on 127.0.0.1 (or another loopback `host`) that knows one consumer key and secret. */
export async function startOutcomeService(opts: { key: string; secret: string; answer?: (n: number) => OutcomeAnswer; host?: string; description?: string }): Promise<OutcomeService> {
  const received: ReceivedOutcome[] = [];
  const seenNonces = new Set<string>();
  const oauth = new OAuth({
    consumer: { key: opts.key, secret: opts.secret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => crypto.createHmac('sha1', key).update(base).digest('base64'),
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const header = String(req.headers.authorization ?? '');
      const params = Object.fromEntries([...header.replace(/^OAuth\s+/i, '').matchAll(/([\w]+)="([^"]*)"/g)].map((m) => [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)])) as Record<
        string,
        string
      >;
      const { oauth_signature: signature, realm: _realm, ...oauthData } = params;
      const fullUrl = `http://${req.headers.host}${req.url}`;
      const expected = oauth.getSignature({ url: fullUrl, method: 'POST', data: {} }, '', oauthData as unknown as OAuth.Data);
      const problems = [
        String(req.headers['content-type']).startsWith('application/xml') ? '' : 'content type',
        oauthData.oauth_consumer_key === opts.key ? '' : 'consumer key',
        oauthData.oauth_body_hash === crypto.createHash('sha1').update(body).digest('base64') ? '' : 'body hash',
        signature === expected ? '' : 'signature',
        Math.abs(Date.now() / 1000 - Number(oauthData.oauth_timestamp)) < 300 ? '' : 'timestamp',
        oauthData.oauth_nonce && !seenNonces.has(oauthData.oauth_nonce) ? '' : 'nonce',
      ].filter(Boolean);
      seenNonces.add(oauthData.oauth_nonce ?? '');
      const sourcedId = /<sourcedId>([^<]*)<\/sourcedId>/.exec(text)?.[1] ?? '';
      const score = /<textString>([^<]*)<\/textString>/.exec(text)?.[1] ?? '';
      const unescaped = sourcedId.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '');
      received.push({ sourcedId: unescaped, score, problem: problems.join(', ') });
      const answer = problems.length ? 'failure' : (opts.answer?.(received.length) ?? 'success');
      if (answer === 'http500') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('busy');
        return;
      }
      const description = opts.description ?? (problems.length ? `Rejected: ${problems.join(', ')}` : answer === 'success' ? `Score for ${sourcedId} is now ${score}` : 'Score not accepted');
      res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">
  <imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version><imsx_messageIdentifier>${crypto.randomUUID()}</imsx_messageIdentifier>
    <imsx_statusInfo><imsx_codeMajor>${answer}</imsx_codeMajor><imsx_severity>${answer === 'success' ? 'status' : 'error'}</imsx_severity><imsx_description>${description}</imsx_description><imsx_operationRefIdentifier>replaceResult</imsx_operationRefIdentifier></imsx_statusInfo>
  </imsx_POXResponseHeaderInfo></imsx_POXHeader>
  <imsx_POXBody><replaceResultResponse/></imsx_POXBody>
</imsx_POXEnvelopeResponse>`);
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/grade_passback.php?b64=c291cmNl&tool=lectern`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
