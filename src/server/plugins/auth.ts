import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticated } from '../../accounts/account-service.js';
import { actorOf, type Actor } from '../../accounts/policy.js';
import type { User } from '../../db/schema.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { safeEqual } from '../../security/tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user and how they signed in, or null. */
    auth: Authenticated | null;
  }
  interface FastifyContextConfig {
    /** The route stays open to a user who must still change a password someone else set. */
    allowBeforePasswordChange?: boolean;
    /** The route authenticates each request itself (an LTI signature or ticket): no session, CSRF or Origin check. */
    signedRequest?: boolean;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The session cookie's name: `__Host-` binds it to this exact origin when served over HTTPS. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-lectern_session' : 'lectern_session';
}

/**
 * Resolves the session cookie or `Authorization: Bearer` token on every request, and guards
 * cookie-authenticated writes with a CSRF token (sent by the console as `X-CSRF-Token`) and an
 * Origin check. Bearer requests carry no ambient credentials, so they need no CSRF token.
 */
export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  const cookieName = sessionCookieName(ctx.config.secureCookies);
  const allowedOrigin = new URL(ctx.config.publicUrl).origin;
  app.decorateRequest('auth', null);

  // onRequest runs after routing: every rule below reads the route that matched (its registered
  // path and config), never the raw URL, so no spelling of a path (%61pi, //api, ;x) can pick a
  // different rule than the handler that will answer it.
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions;
    // LTI launches are signed cross-site form posts that start their own session: an LMS-side
    // session cookie or Authorization header is neither needed nor a reason to refuse (CSRF).
    if (route.config.signedRequest) return;
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new AppError('AUTH_REQUIRED', 'Use "Authorization: Bearer <token>".');
      request.auth = await ctx.accounts.resolveBearer(match[1]);
      if (!request.auth) throw new AppError('AUTH_REQUIRED', 'The API token is not valid, expired or revoked.');
    } else {
      const cookie = request.cookies[cookieName];
      if (cookie) request.auth = await ctx.accounts.resolveSession(cookie);
      if (UNSAFE.has(request.method)) assertSameOrigin(request, allowedOrigin);
      if (request.auth?.csrfToken && UNSAFE.has(request.method)) {
        const sent = request.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !safeEqual(sent, request.auth.csrfToken)) throw new AppError('CSRF_FAILED');
      }
    }
    // A password someone else chose (or a one-time one) closes the API, by cookie and by token alike,
    // until its owner picks their own; the console's page shell stays reachable to ask for it.
    if (request.auth?.user.must_change_password && route.url?.startsWith('/api/') && !route.config.allowBeforePasswordChange) {
      throw new AppError('PASSWORD_CHANGE_REQUIRED');
    }
  });
}

/**
 * Marks every route of a scope as one that authenticates its requests itself (an LTI signature or
 * launch ticket), so the session, CSRF and Origin checks leave it alone. Call it in that scope
 * before its routes are declared.
 */
export function authenticatesItself(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, signedRequest: true };
  });
}

// A browser always sends Origin on cross-site writes; a mismatch means another site is posting.
function assertSameOrigin(request: FastifyRequest, allowedOrigin: string): void {
  const origin = request.headers.origin;
  if (!origin) return;
  const host = request.headers.host;
  if (origin === allowedOrigin || (host && (origin === `http://${host}` || origin === `https://${host}`))) return;
  throw new AppError('CSRF_FAILED', 'Requests from another site are not accepted.');
}

/** The signed-in user, or AUTH_REQUIRED. */
export function requireUser(request: FastifyRequest): { user: User; actor: Actor } {
  if (!request.auth) throw new AppError('AUTH_REQUIRED');
  return { user: request.auth.user, actor: actorOf(request.auth.user) };
}

/** Sets the session cookie after sign-in. */
export function setSessionCookie(reply: FastifyReply, ctx: AppContext, token: string, maxAgeMs: number): void {
  reply.setCookie(sessionCookieName(ctx.config.secureCookies), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.secureCookies,
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

/** Clears the session cookie at sign-out. */
export function clearSessionCookie(reply: FastifyReply, ctx: AppContext): void {
  reply.clearCookie(sessionCookieName(ctx.config.secureCookies), { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.secureCookies });
}
