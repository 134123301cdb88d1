/*
 * What the LTI 1.1 and LTI 1.3 launch routes share: their scope (raw form body, per-address rate
 * limit, errors as pages for a person), the launch's answer (a session and a redirect, or the
 * iframe ticket page), the answer to a refusal, and the page itself.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply } from 'fastify';
import { SESSION_TTL_MS } from '../../../accounts/account-service.js';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import type { LaunchOutcome } from '../../../lti/launch-target.js';
import { returnUrlWithError } from '../../../lti/launch-verifier.js';
import { pageLanguage, pageWords, translatedMessage } from '../../../lti/page-words.js';
import { authenticatesItself, setSessionCookie } from '../../plugins/auth.js';
import type { App } from '../../types.js';

/** Sec-Fetch-Dest values of a launch inside the LMS page (where a session cookie would be blocked). */
export const FRAMED_DESTINATIONS = new Set(['iframe', 'frame', 'embed', 'object']);

// LTI pages are shown inside LMS iframes too, so they may be framed by any site; they hold no
// script, only text and (for a framed launch) a button that opens Lectern in a new window, except
// the platform storage pages, whose one script is allowed by its hash (sendLtiScriptPage).
const LTI_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors *";

/** A rate limit for one route: per minute from one address, or false for none. */
export type LtiRateLimit = { max: number; timeWindow: string } | false;

/**
 * Sets up a scope of LTI launch routes: the form parser keeps the raw body, a rate limit is
 * registered (returned for the routes' config), and errors become pages; `formMessage` answers a
 * body that is not a form, `failureLog` logs an unexpected error.
 */
export async function ltiPageScope(app: App, formMessage: string, failureLog: string): Promise<LtiRateLimit> {
  authenticatesItself(app);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => done(null, body));
  await app.register(rateLimit, { global: false });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const appError = err instanceof AppError ? err : pageError(err, formMessage);
    if (appError.code === 'INTERNAL') request.log.error({ err }, failureLog);
    return sendLtiPage(reply, appError.status, appError.message, { code: appError.code });
  });
  return rateLimitConfig();
}

// Launches per minute from one address. A school behind one NAT launches a class at once; a flood
// of forged launches costs a verification and one indexed lookup each. LECTERN_LTI_RATE_LIMIT=0 lifts it.
function rateLimitConfig(): LtiRateLimit {
  const perMinute = Number(process.env.LECTERN_LTI_RATE_LIMIT || 600);
  return Number.isFinite(perMinute) && perMinute > 0 ? { max: perMinute, timeWindow: '1 minute' } : false;
}

function pageError(err: Error & { statusCode?: number; code?: string }, formMessage: string): AppError {
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new AppError('UNSUPPORTED_MEDIA_TYPE', formMessage);
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('PAYLOAD_TOO_LARGE', 'This LTI launch is too large.');
  if (err.statusCode === 429) return new AppError('RATE_LIMITED');
  return new AppError('INTERNAL');
}

/** Answers a launch that succeeded: a session cookie and a redirect into the reader, or (inside an iframe) the ticket page. */
export function sendLaunchOutcome(reply: FastifyReply, ctx: AppContext, outcome: LaunchOutcome) {
  if (outcome.kind === 'ticket') {
    return sendLtiPage(reply, 200, pageWords(languageOf(reply)).ticketMessage, { ticket: outcome.ticket });
  }
  setSessionCookie(reply, ctx, outcome.signedIn.sessionToken, SESSION_TTL_MS);
  return reply.header('cache-control', 'no-store').redirect(outcome.target, 303);
}

/** Answers a refused launch: back to the LMS with lti_errormsg when it carries a return URL, else an error page. */
export function sendRefusal(reply: FastifyReply, err: { status: number; message: string; logMessage: string; returnUrl: string | null }, code: string) {
  // Only a launch that verified carries a return URL: no open redirect for forgers.
  if (err.returnUrl) return reply.header('cache-control', 'no-store').redirect(returnUrlWithError(err.returnUrl, err.message, `${code}: ${err.logMessage}`), 303);
  return sendLtiPage(reply, err.status, err.message, { code });
}

/** Escapes text for HTML text and attribute values: every character that can end either. */
export function escapeHtml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Students meet these pages: in Spanish when their browser asks for it (a launch has no session yet).
function languageOf(reply: FastifyReply): 'en' | 'es' {
  return pageLanguage(reply.request.headers['accept-language']);
}

/**
 * Sends a plain, self-contained page (no scripts, no external assets) that reads well inside an
 * iframe: an error (its standard message translated by `code`), or with a ticket a button that posts
 * it to /lti/continue in a new window.
 */
export function sendLtiPage(reply: FastifyReply, status: number, message: string, opts: { ticket?: string; code?: string } = {}) {
  const language = languageOf(reply);
  const words = pageWords(language);
  const title = opts.ticket ? words.ticketTitle : words.errorTitle;
  const action = opts.ticket
    ? `<form method="post" action="/lti/continue" target="_blank"><input type="hidden" name="ticket" value="${escapeHtml(opts.ticket)}"><button class="button" type="submit">${escapeHtml(words.ticketButton)}</button></form>`
    : '';
  return sendPage(reply, status, title, `<p>${escapeHtml(translatedMessage(language, opts.code, message))}</p>${action}`, LTI_PAGE_CSP, language);
}

/**
 * Sends an LTI page that runs one inline script, allowed by its hash and nothing else: `data`, if
 * given, goes in as JSON (#lti-data, never executed), `message` in #lti-status for the script to replace.
 */
export function sendLtiScriptPage(reply: FastifyReply, title: string, message: string, script: { source: string; hash: string }, data?: unknown) {
  // '<' escaped, so no value can close the data block.
  const dataBlock = data === undefined ? '' : `<script type="application/json" id="lti-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`;
  const body = `<p id="lti-status">${escapeHtml(message)}</p><noscript><p>Lectern needs JavaScript here.</p></noscript>${dataBlock}<script>${script.source}</script>`;
  return sendPage(reply, 200, title, body, LTI_PAGE_CSP.replace("default-src 'none';", `default-src 'none'; script-src ${script.hash};`), 'en');
}

function sendPage(reply: FastifyReply, status: number, title: string, body: string, csp: string, language: string) {
  reply.raw.removeHeader('x-frame-options');
  // The answer depends on the browser's language.
  reply.header('vary', 'Accept-Language');
  const html = `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Lectern</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#1b1f24;background:#f6f7f9;margin:0;padding:2rem 1rem}main{max-width:36rem;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.5rem}h1{font-size:1.25rem;margin:0 0 .75rem}.button{display:inline-block;background:#0b5cad;color:#fff;padding:.6rem 1rem;border:0;border-radius:6px;font:inherit;font-weight:600;cursor:pointer}.button:focus{outline:3px solid #f0b400;outline-offset:2px}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return reply.status(status).header('content-security-policy', csp).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}
