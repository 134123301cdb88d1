import { Type } from 'typebox';
import { SESSION_TTL_MS } from '../../../accounts/account-service.js';
import type { User } from '../../../db/schema.js';
import type { AppContext } from '../../../context.js';
import { clearSessionCookie, requireUser, setSessionCookie } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { ErrorBody, errorResponses } from '../schemas.js';

const Me = Type.Object({
  id: Type.String(),
  login: Type.String(),
  email: Type.String(),
  givenName: Type.String(),
  familyName: Type.String(),
  role: Type.String(),
  customerId: Type.Union([Type.String(), Type.Null()]),
  mustChangePassword: Type.Boolean(),
});

const SessionBody = Type.Object({ user: Me, csrfToken: Type.Union([Type.String(), Type.Null()]) });

function presentMe(u: User) {
  return {
    id: u.id,
    login: u.login,
    email: u.email,
    givenName: u.given_name,
    familyName: u.family_name,
    role: u.role,
    customerId: u.customer_id,
    mustChangePassword: u.must_change_password === 1,
  };
}

const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

/** Sign-in, sign-out, the current session, password change and personal API tokens. */
export async function authRoutes(app: App, ctx: AppContext): Promise<void> {
  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a login name or email and a password',
        body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: { 200: SessionBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const signedIn = await ctx.accounts.login({ ...request.body, ip: request.ip, userAgent: request.headers['user-agent'] ?? '' });
      setSessionCookie(reply, ctx, signedIn.sessionToken, SESSION_TTL_MS);
      return { user: presentMe(signedIn.user), csrfToken: signedIn.csrfToken };
    },
  );

  // What a user who must change a password someone else set may still do: see who they are, change it, or leave.
  const beforePasswordChange = { allowBeforePasswordChange: true };

  app.get(
    '/api/auth/session',
    { config: beforePasswordChange, schema: { tags: ['auth'], summary: 'The signed-in user and the CSRF token for writes', response: { 200: SessionBody, 401: ErrorBody } } },
    async (request) => {
      const { user } = requireUser(request);
      return { user: presentMe(user), csrfToken: request.auth?.csrfToken ?? null };
    },
  );

  app.post('/api/auth/logout', { config: beforePasswordChange, schema: { tags: ['auth'], summary: 'Sign out', response: { 204: Type.Null() } } }, async (request, reply) => {
    if (request.auth?.sessionId) await ctx.accounts.logout(request.auth.sessionId);
    clearSessionCookie(reply, ctx);
    return reply.status(204).send(null);
  });

  app.post(
    '/api/auth/password',
    {
      config: beforePasswordChange,
      schema: {
        tags: ['auth'],
        summary: 'Change your own password (other sessions end)',
        body: Type.Object({ currentPassword: Type.String({ maxLength: 256 }), newPassword: Type.String({ maxLength: 256 }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { user } = requireUser(request);
      const body = request.body;
      await ctx.accounts.changePassword(user, body.currentPassword, body.newPassword, request.auth?.sessionId ?? null);
      return reply.status(204).send(null);
    },
  );

  app.get('/api/auth/tokens', { schema: { tags: ['auth'], summary: 'Your API tokens', response: { 200: Type.Array(TokenView), 401: ErrorBody } } }, async (request) => {
    const { user } = requireUser(request);
    return (await ctx.accounts.listTokens(user)).map(presentToken);
  });

  app.post(
    '/api/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a personal API token (shown once) for `Authorization: Bearer`',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ token: Type.String(), info: TokenView }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { user } = requireUser(request);
      const body = request.body;
      const { token, info } = await ctx.accounts.createToken(user, body.name, body.expiresInDays ?? null);
      return reply.status(201).send({ token, info: presentToken(info) });
    },
  );

  app.delete(
    '/api/auth/tokens/:id',
    { schema: { tags: ['auth'], summary: 'Revoke one of your API tokens', params: Type.Object({ id: Type.String() }), response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      const { user } = requireUser(request);
      await ctx.accounts.revokeToken(user, request.params.id);
      return reply.status(204).send(null);
    },
  );
}

function presentToken(t: { id: string; name: string; prefix: string; created_at: string; last_used_at: string | null; expires_at: string | null; revoked_at: string | null }) {
  return { id: t.id, name: t.name, prefix: t.prefix, createdAt: t.created_at, lastUsedAt: t.last_used_at, expiresAt: t.expires_at, revokedAt: t.revoked_at };
}
