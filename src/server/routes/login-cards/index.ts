import { Type } from 'typebox';
import { SESSION_TTL_MS } from '../../../accounts/account-service.js';
import type { AppContext } from '../../../context.js';
import { MAX_CARDS } from '../../../directory/login-cards.js';
import { requireUser, setSessionCookie } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { ErrorBody, errorResponses } from '../schemas.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const CardBody = Type.Object(
  {
    // QR first: the safer choice changes no one's password.
    mode: Type.Enum(['qr', 'password'], { description: '`qr`: a single-use QR sign-in (7 days); `password`: a first-use password replacing the current one' }),
    classId: Type.Optional(Type.String({ maxLength: 100, description: 'a class: cards for its active students' })),
    userIds: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: MAX_CARDS, description: 'users to print cards for (students, teachers or LTI readers)' })),
    pageSize: Type.Optional(Type.Enum(['letter', 'a4'], { description: 'paper; Letter by default' })),
  },
  { additionalProperties: false },
);

/** Login cards (a printable PDF), their QR sign-in, and the users CSV export. */
export async function loginCardRoutes(app: App, ctx: AppContext): Promise<void> {
  app.post(
    '/api/customers/:id/login-cards/preview',
    {
      schema: {
        tags: ['directory'],
        summary: 'How many login cards a request would print, and how many of those people get their password from the roster',
        params: IdParams,
        body: CardBody,
        response: { 200: Type.Object({ count: Type.Integer(), rosterPasswords: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.loginCards.preview(actor, request.params.id, request.body);
    },
  );

  app.post(
    '/api/customers/:id/login-cards',
    {
      schema: {
        tags: ['directory'],
        summary: 'Print login cards (PDF, eight a page) with the reader address, each login and a first-use password or a QR sign-in',
        params: IdParams,
        body: CardBody,
        produces: ['application/pdf'],
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const { count, pdf } = await ctx.loginCards.print(actor, request.params.id, request.body);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', 'attachment; filename="login-cards.pdf"')
        .header('cache-control', 'no-store')
        .header('x-lectern-card-count', String(count))
        .send(pdf);
    },
  );

  app.post(
    '/api/auth/qr',
    {
      // The token is the credential: it works on a shared device whose previous reader is still signed
      // in (no session CSRF token to send). Another site cannot post this JSON body without a CORS preflight.
      config: { signedRequest: true },
      schema: {
        tags: ['auth'],
        summary: "Sign in with a login card's QR token (single use, 7 days); starts a session",
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ user: Type.Object({ id: Type.String(), login: Type.String() }) }), 400: ErrorBody, 403: ErrorBody, 410: ErrorBody },
      },
    },
    async (request, reply) => {
      const signedIn = await ctx.loginCards.redeemQr(request.body.token, { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' });
      setSessionCookie(reply, ctx, signedIn.sessionToken, SESSION_TTL_MS);
      return { user: { id: signedIn.user.id, login: signedIn.user.login } };
    },
  );

  app.get(
    '/api/customers/:id/users.csv',
    {
      schema: {
        tags: ['directory'],
        summary: "The customer's users as CSV, with the Users list's filters (no passwords)",
        params: IdParams,
        querystring: Type.Object(
          {
            search: Type.Optional(Type.String({ maxLength: 200 })),
            role: Type.Optional(Type.Enum(['customer_admin', 'institute_admin', 'teacher', 'student', 'reader'])),
            status: Type.Optional(Type.Enum(['active', 'disabled', 'deleted'])),
            includeDeleted: Type.Optional(Type.Boolean()),
            school: Type.Optional(Type.String({ maxLength: 255, description: 'sourcedId of a school: only users with a role there' })),
            classId: Type.Optional(Type.String({ maxLength: 100, description: 'a class: only users actively enrolled in it' })),
          },
          { additionalProperties: false },
        ),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const q = request.query;
      const csv = await ctx.directory.usersCsv(actor, request.params.id, {
        search: q.search,
        role: q.role as never,
        status: q.status as never,
        includeDeleted: q.includeDeleted,
        schoolSourcedId: q.school,
        classId: q.classId,
      });
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="users.csv"').header('cache-control', 'no-store').send(csv);
    },
  );
}
