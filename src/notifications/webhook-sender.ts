import crypto from 'node:crypto';
import { AppError } from '../errors.js';
import type { OutboundClient } from '../security/outbound.js';

const TIMEOUT_MS = 10_000;
/** Only the status code is kept; an answer's body is read no further than this. */
const MAX_ANSWER_BYTES = 256 * 1024;

/** The `Lectern-Signature` header (Stripe's scheme): `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function signatureHeader(body: string, secret: string, unixSeconds: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** A new webhook secret: 32 random bytes, prefixed so people can tell what it is. */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64url')}`;
}

/** How one try went: the HTTP status (null when none came back), time taken, and a short reason when it failed. */
export interface WebhookAttempt {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string;
  /** A destination Lectern refuses to call: trying again will not help. */
  forbidden: boolean;
}

/** Posts one signed body through the guarded client; never throws. A 2xx is a success; redirects are not followed. */
export async function postWebhook(outbound: OutboundClient, url: string, body: string, secret: string, signal?: AbortSignal): Promise<WebhookAttempt> {
  const started = Date.now();
  try {
    const res = await outbound.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Lectern-Webhooks/1', 'lectern-signature': signatureHeader(body, secret, Math.floor(Date.now() / 1000)) },
      body,
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_ANSWER_BYTES,
      signal,
    });
    const ok = res.status >= 200 && res.status < 300;
    return { ok, statusCode: res.status, durationMs: Date.now() - started, error: ok ? '' : `HTTP ${res.status}`, forbidden: false };
  } catch (err) {
    const forbidden = err instanceof AppError && err.code === 'OUTBOUND_FORBIDDEN';
    // The receiver's own words stay out of the log: only our short reason.
    const message = (err instanceof Error ? err.message : String(err)).replace(/[\p{C}\s]+/gu, ' ').slice(0, 200);
    return { ok: false, statusCode: null, durationMs: Date.now() - started, error: forbidden ? `Not sent: ${message}` : message, forbidden };
  }
}
