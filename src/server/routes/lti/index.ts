import rateLimit from '@fastify/rate-limit';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { SESSION_TTL_MS } from '../../../accounts/account-service.js';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { LaunchError, returnUrlWithError } from '../../../lti/launch-verifier.js';
import { OUTCOME_STATUSES } from '../../../lti/outcome-view.js';
import type { Pair } from '../../../security/oauth1.js';
import { authenticatesItself, requireUser, setSessionCookie } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { Page, PageQuery, errorResponses, paging } from '../schemas.js';

// Launches per minute from one address. A school behind one NAT launches a class at once; a flood
// of forged launches costs an HMAC and one indexed lookup each. LECTERN_LTI_RATE_LIMIT=0 lifts it.
function rateLimitConfig(): { max: number; timeWindow: string } | false {
  const perMinute = Number(process.env.LECTERN_LTI_RATE_LIMIT || 600);
  return Number.isFinite(perMinute) && perMinute > 0 ? { max: perMinute, timeWindow: '1 minute' } : false;
}
const FRAMED_DESTINATIONS = new Set(['iframe', 'frame', 'embed', 'object']);

// LTI pages are shown inside LMS iframes too, so they may be framed by any site; they hold no
// script, only text and (for a framed launch) a button that opens Lectern in a new window.
const LTI_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors *";

// A bad value answers a field error that lists the allowed ones.
const OutcomeStatus = Type.Enum(OUTCOME_STATUSES);

const OutcomeCall = Type.Object({
  id: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  user: Type.Object({ id: Type.String(), name: Type.String() }),
  target: Type.Object({ type: Type.Enum(['book', 'collection']), id: Type.String() }),
  targetTitle: Type.Union([Type.String(), Type.Null()], { description: "The title's or collection's name; null once it no longer exists" }),
  serviceHost: Type.String(),
  score: Type.Number(),
  status: OutcomeStatus,
  attempts: Type.Integer(),
  lastError: Type.String(),
});

const OutcomeCallPage = Type.Object({
  ...Page(OutcomeCall).properties,
  counts: Type.Object(Object.fromEntries(OUTCOME_STATUSES.map((s) => [s, Type.Integer()])), { description: 'Calls per status matching the search, whatever the status filter' }),
});

/** LTI 1.1: the launch (`POST /lti/launch`), the iframe hand-over, and the admin's list of outcome calls. */
export async function ltiRoutes(app: App, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => launchRoutes(scope, ctx));

  app.get(
    '/api/customers/:id/lti/outcomes',
    {
      schema: {
        tags: ['lti'],
        summary: 'Basic Outcomes calls of the customer (grade reports to the LMS), newest first',
        description: "`status` keeps one status; `search` matches the student's name or the title (case-insensitive). `counts` has every status.",
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object(
          { page: PageQuery.page, pageSize: PageQuery.pageSize, status: Type.Optional(OutcomeStatus), search: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: OutcomeCallPage, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const { status, search } = request.query;
      const { items, total, counts } = await ctx.lti.outcomes.list(actor, request.params.id, { status, search, limit: p.limit, offset: p.offset });
      return { items, total, page: p.page, pageSize: p.pageSize, counts };
    },
  );
}

// Its own scope: the form parser keeps the raw body (pairs, duplicates and order intact) and errors
// are pages for a person, not JSON.
async function launchRoutes(app: App, ctx: AppContext): Promise<void> {
  authenticatesItself(app);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => done(null, body));
  await app.register(rateLimit, { global: false });
  const rateLimited = rateLimitConfig();
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const appError = err instanceof AppError ? err : pageError(err);
    if (appError.code === 'INTERNAL') request.log.error({ err }, 'LTI launch failed');
    return sendPage(reply, appError.status, 'Lectern could not open', appError.message);
  });

  app.post(
    '/lti/launch',
    {
      config: { rateLimit: rateLimited },
      schema: {
        tags: ['lti'],
        summary: 'LTI 1.1 basic launch (form-encoded, OAuth 1.0a signed); 303 into the reader with a session',
        description:
          'Send the LMS form post here. Verified launches redirect (303) to /reader, /reader/books/{custom_bookid} or /reader/collections/{custom_collectionid} with a session cookie; launches inside an iframe get a page that opens Lectern in a new window. After a valid signature, refusals go back to launch_presentation_return_url with lti_errormsg and lti_errorlog; otherwise an error page.',
        consumes: ['application/x-www-form-urlencoded'],
        security: [],
        response: { 303: Type.Null(), 200: Type.String(), 400: Type.String(), 401: Type.String(), 403: Type.String() },
      },
    },
    async (request, reply) => {
      if (typeof request.body !== 'string') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'An LTI launch is a form post (application/x-www-form-urlencoded).');
      const pairs: Pair[] = [...new URLSearchParams(request.body)];
      const target = pairs.find(([n]) => n === 'launch_presentation_document_target')?.[1] ?? '';
      const dest = request.headers['sec-fetch-dest'];
      // The browser's own word first; the LMS's claim only when the browser sends none.
      const framed = typeof dest === 'string' ? FRAMED_DESTINATIONS.has(dest) : ['iframe', 'frame', 'embed'].includes(target);
      try {
        const outcome = await ctx.lti.launches.launch(request.url, pairs, { ip: request.ip, userAgent: request.headers['user-agent'] ?? '', framed });
        if (outcome.kind === 'ticket') {
          return sendPage(
            reply,
            200,
            'Open Lectern',
            'Your school’s LMS shows Lectern inside its page, where the browser will not keep you signed in. Open it in its own window to read.',
            outcome.ticket,
          );
        }
        setSessionCookie(reply, ctx, outcome.signedIn.sessionToken, SESSION_TTL_MS);
        return reply.header('cache-control', 'no-store').redirect(outcome.target, 303);
      } catch (err) {
        if (!(err instanceof LaunchError)) throw err;
        request.log.info({ code: err.code, reason: err.logMessage }, 'LTI launch refused');
        // Only a launch whose signature verified carries a return URL: no open redirect for forgers.
        if (err.returnUrl) return reply.header('cache-control', 'no-store').redirect(returnUrlWithError(err.returnUrl, err.message, `${err.code}: ${err.logMessage}`), 303);
        return sendPage(reply, err.status, 'Lectern could not open', err.message);
      }
    },
  );

  // A form post, not a link: the ticket stays out of URLs, so out of request logs and history.
  app.post(
    '/lti/continue',
    {
      config: { rateLimit: rateLimited },
      schema: {
        tags: ['lti'],
        summary: 'Opens a launch made inside an LMS iframe in its own window (form field `ticket`: single use, 2 minutes)',
        consumes: ['application/x-www-form-urlencoded'],
        security: [],
        response: { 303: Type.Null(), 410: Type.String() },
      },
    },
    async (request, reply) => {
      const ticket = typeof request.body === 'string' ? new URLSearchParams(request.body).get('ticket') : null;
      const redeemed = ticket ? await ctx.lti.launches.redeemTicket(ticket, { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' }) : null;
      if (!redeemed) throw new AppError('LTI_TICKET_INVALID');
      setSessionCookie(reply, ctx, redeemed.signedIn.sessionToken, SESSION_TTL_MS);
      return reply.header('cache-control', 'no-store').redirect(redeemed.target, 303);
    },
  );
}

function pageError(err: Error & { statusCode?: number; code?: string }): AppError {
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new AppError('UNSUPPORTED_MEDIA_TYPE', 'An LTI launch is a form post (application/x-www-form-urlencoded).');
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('PAYLOAD_TOO_LARGE', 'This LTI launch is too large.');
  if (err.statusCode === 429) return new AppError('RATE_LIMITED');
  return new AppError('INTERNAL');
}

const escapeHtml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

// A plain, self-contained page (no scripts, no external assets) that reads well inside an iframe;
// with a ticket, its button posts it to /lti/continue in a new top-level window.
function sendPage(reply: FastifyReply, status: number, title: string, message: string, ticket?: string) {
  reply.raw.removeHeader('x-frame-options');
  const action = ticket
    ? `<form method="post" action="/lti/continue" target="_blank"><input type="hidden" name="ticket" value="${escapeHtml(ticket)}"><button class="button" type="submit">Open Lectern in a new window</button></form>`
    : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Lectern</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#1b1f24;background:#f6f7f9;margin:0;padding:2rem 1rem}main{max-width:36rem;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.5rem}h1{font-size:1.25rem;margin:0 0 .75rem}.button{display:inline-block;background:#0b5cad;color:#fff;padding:.6rem 1rem;border:0;border-radius:6px;font:inherit;font-weight:600;cursor:pointer}.button:focus{outline:3px solid #f0b400;outline-offset:2px}</style>
</head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${action}</main></body></html>`;
  return reply.status(status).header('content-security-policy', LTI_PAGE_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}
