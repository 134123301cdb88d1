import rateLimit from '@fastify/rate-limit';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { SESSION_TTL_MS } from '../../../accounts/account-service.js';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { Lti13Error } from '../../../lti13/errors.js';
import { Lti13LaunchService, type LoginInitiation } from '../../../lti13/launch-service.js';
import { LaunchError, returnUrlWithError } from '../../../lti/launch-verifier.js';
import { authenticatesItself, setSessionCookie } from '../../plugins/auth.js';
import type { App } from '../../types.js';

// Logins and launches per minute from one address, as for LTI 1.1 (LECTERN_LTI_RATE_LIMIT=0 lifts it).
function rateLimitConfig(): { max: number; timeWindow: string } | false {
  const perMinute = Number(process.env.LECTERN_LTI_RATE_LIMIT || 600);
  return Number.isFinite(perMinute) && perMinute > 0 ? { max: perMinute, timeWindow: '1 minute' } : false;
}
const FRAMED_DESTINATIONS = new Set(['iframe', 'frame', 'embed', 'object']);
const LOGIN_FIELDS = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id'] as const;

// Shown inside LMS iframes too, so framable by any site; no script, only text and the open-in-window button.
const LTI_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors *";

/**
 * LTI 1.3: the OIDC login initiation (`GET|POST /lti/1.3/login`, 302 to the platform) and the
 * launch (`POST /lti/1.3/launch`, 303 into the reader with a session). Errors are pages for a
 * person with a 4xx status; only a token that verified may send them back to the LMS.
 */
export async function lti13LaunchRoutes(app: App, ctx: AppContext): Promise<void> {
  const service = new Lti13LaunchService(ctx.db.kysely, { publicUrl: ctx.config.publicUrl, outbound: ctx.outbound });
  authenticatesItself(app);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => done(null, body));
  await app.register(rateLimit, { global: false });
  const rateLimited = rateLimitConfig();
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const appError = err instanceof AppError ? err : pageError(err);
    if (appError.code === 'INTERNAL') request.log.error({ err }, 'LTI 1.3 request failed');
    return sendPage(reply, appError.status, appError.message);
  });

  const login = async (fields: Record<string, string | undefined>, reply: FastifyReply) => {
    const params: LoginInitiation = Object.fromEntries(LOGIN_FIELDS.flatMap((name) => (typeof fields[name] === 'string' ? [[name, fields[name]]] : [])));
    try {
      return reply.header('cache-control', 'no-store').redirect(await service.login(params), 302);
    } catch (err) {
      if (err instanceof Lti13Error) reply.request.log.info({ code: err.lti13Code, reason: err.logMessage }, 'LTI 1.3 login refused');
      throw err;
    }
  };
  const loginSchema = {
    tags: ['lti13'],
    summary: 'LTI 1.3 OIDC login initiation: 302 to the platform auth endpoint with a single-use state and nonce',
    description:
      'Parameters iss, login_hint, target_link_uri and optional lti_message_hint, client_id, lti_deployment_id (query for GET, form for POST). An unknown issuer, client or deployment gets an error page (4xx).',
    security: [],
    response: { 302: Type.Null(), 400: Type.String(), 401: Type.String() },
  };
  app.get('/lti/1.3/login', { config: { rateLimit: rateLimited }, schema: loginSchema }, async (request, reply) => login(request.query as Record<string, string | undefined>, reply));
  app.post('/lti/1.3/login', { config: { rateLimit: rateLimited }, schema: { ...loginSchema, consumes: ['application/x-www-form-urlencoded'] } }, async (request, reply) =>
    login(Object.fromEntries(new URLSearchParams(formText(request.body))), reply),
  );

  app.post(
    '/lti/1.3/launch',
    {
      config: { rateLimit: rateLimited },
      schema: {
        tags: ['lti13'],
        summary: 'LTI 1.3 launch (form id_token, state): 303 into the reader with a session',
        description:
          'A verified LtiResourceLinkRequest redirects (303) to /reader, /reader/books/{custom bookid} or /reader/collections/{custom collectionid}; inside an iframe a page opens Lectern in a new window. A token that does not verify gets an error page (4xx); a verified but refused one goes back to launch_presentation.return_url with lti_errormsg.',
        consumes: ['application/x-www-form-urlencoded'],
        security: [],
        response: { 303: Type.Null(), 200: Type.String(), 400: Type.String(), 401: Type.String(), 403: Type.String() },
      },
    },
    async (request, reply) => {
      const form = new URLSearchParams(formText(request.body));
      const dest = request.headers['sec-fetch-dest'];
      // The browser's word only: the token is not verified yet when this is read.
      const framed = typeof dest === 'string' && FRAMED_DESTINATIONS.has(dest);
      try {
        const outcome = await service.launch(
          { id_token: form.get('id_token') ?? undefined, state: form.get('state') ?? undefined },
          { ip: request.ip, userAgent: request.headers['user-agent'] ?? '', framed },
        );
        if (outcome.kind === 'ticket') {
          return sendPage(reply, 200, 'Your school’s LMS shows Lectern inside its page, where the browser will not keep you signed in. Open it in its own window to read.', outcome.ticket);
        }
        setSessionCookie(reply, ctx, outcome.signedIn.sessionToken, SESSION_TTL_MS);
        return reply.header('cache-control', 'no-store').redirect(outcome.target, 303);
      } catch (err) {
        if (!(err instanceof Lti13Error) && !(err instanceof LaunchError)) throw err;
        const code = err instanceof Lti13Error ? err.lti13Code : err.code;
        request.log.info({ code, reason: err.logMessage }, 'LTI 1.3 launch refused');
        // Only a token that verified carries a return URL: no open redirect for forgers.
        if (err.returnUrl) return reply.header('cache-control', 'no-store').redirect(returnUrlWithError(err.returnUrl, err.message, `${code}: ${err.logMessage}`), 303);
        return sendPage(reply, err.status, err.message);
      }
    },
  );
}

function formText(body: unknown): string {
  if (typeof body !== 'string') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'An LTI 1.3 sign-in is a form post (application/x-www-form-urlencoded).');
  return body;
}

function pageError(err: Error & { statusCode?: number; code?: string }): AppError {
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new AppError('UNSUPPORTED_MEDIA_TYPE', 'An LTI 1.3 sign-in is a form post (application/x-www-form-urlencoded).');
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('PAYLOAD_TOO_LARGE', 'This LTI launch is too large.');
  if (err.statusCode === 429) return new AppError('RATE_LIMITED');
  return new AppError('INTERNAL');
}

const escapeHtml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

// A plain, self-contained page; with a ticket, its button posts it to /lti/continue (shared with 1.1) in a new window.
function sendPage(reply: FastifyReply, status: number, message: string, ticket?: string) {
  reply.raw.removeHeader('x-frame-options');
  const title = ticket ? 'Open Lectern' : 'Lectern could not open';
  const action = ticket
    ? `<form method="post" action="/lti/continue" target="_blank"><input type="hidden" name="ticket" value="${escapeHtml(ticket)}"><button class="button" type="submit">Open Lectern in a new window</button></form>`
    : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Lectern</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#1b1f24;background:#f6f7f9;margin:0;padding:2rem 1rem}main{max-width:36rem;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.5rem}h1{font-size:1.25rem;margin:0 0 .75rem}.button{display:inline-block;background:#0b5cad;color:#fff;padding:.6rem 1rem;border:0;border-radius:6px;font:inherit;font-weight:600;cursor:pointer}.button:focus{outline:3px solid #f0b400;outline-offset:2px}</style>
</head><body><main><h1>${title}</h1><p>${escapeHtml(message)}</p>${action}</main></body></html>`;
  return reply.status(status).header('content-security-policy', LTI_PAGE_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}
