import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { UserView } from '../directory/index.js';
import { ErrorBody, errorResponses } from '../schemas.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const UserParams = Type.Object({ id: Type.String({ maxLength: 100 }), userId: Type.String({ maxLength: 100 }) });
const Name = Type.String({ maxLength: 100 });
const SchoolIds = Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100, description: 'sourcedIds of the schools (orgs) the person belongs to; an institute admin acts only within theirs' });
const Password = Type.String({ maxLength: 256 });
const IssuedPassword = Type.Object({ userId: Type.String(), login: Type.String(), password: Type.String() });

/** The Users tab's actions on people: add, edit, password, disable and enable, bulk actions. */
export async function peopleRoutes(app: App, ctx: AppContext): Promise<void> {
  app.post(
    '/api/customers/:id/users',
    {
      schema: {
        tags: ['people'],
        summary: 'Add a teacher, student or institute admin by hand (a manual account: syncs never delete it)',
        description: 'Without `password`, Lectern makes a readable one, answers it once (never stored in clear) and requires a change at first sign-in.',
        params: IdParams,
        body: Type.Object(
          {
            role: Type.Enum(['teacher', 'student', 'institute_admin']),
            givenName: Name,
            familyName: Name,
            email: Type.Optional(Type.String({ maxLength: 254 })),
            login: Type.String({ maxLength: 100 }),
            password: Type.Optional(Password),
            mustChangePassword: Type.Optional(Type.Boolean()),
            schoolIds: Type.Optional(SchoolIds),
            grade: Type.Optional(Type.String({ maxLength: 20 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ user: UserView, password: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const created = await ctx.people.createUser(actor, request.params.id, request.body as never);
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/api/customers/:id/users/:userId',
    {
      schema: {
        tags: ['people'],
        summary: "Edit a manual user's names, email, login, schools and grade (roster-managed users are read-only)",
        params: UserParams,
        body: Type.Object(
          {
            givenName: Type.Optional(Name),
            familyName: Type.Optional(Name),
            email: Type.Optional(Type.String({ maxLength: 254 })),
            login: Type.Optional(Type.String({ maxLength: 100 })),
            schoolIds: Type.Optional(SchoolIds),
            grade: Type.Optional(Type.String({ maxLength: 20 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: UserView, ...errorResponses, 409: ErrorBody },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.people.updateUser(actor, request.params.id, request.params.userId, request.body);
    },
  );

  app.post(
    '/api/customers/:id/users/:userId/password',
    {
      schema: {
        tags: ['people'],
        summary: "Set or reset a user's password",
        description:
          "Without `password`, Lectern makes a readable one and answers it once. A password set here wins over the roster's until the roster brings a different password for the person. The user's sessions and API tokens end.",
        params: UserParams,
        body: Type.Object({ password: Type.Optional(Password), mustChangePassword: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Object({ password: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses, 409: ErrorBody },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.people.setPassword(actor, request.params.id, request.params.userId, request.body);
    },
  );

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/api/customers/:id/users/:userId/${action}`,
      {
        schema: {
          tags: ['people'],
          summary: action === 'disable' ? 'Disable a user: they cannot sign in or launch, and their sessions end' : 'Enable a disabled user',
          params: UserParams,
          response: { 200: Type.Object({ changed: Type.Array(Type.String()) }), ...errorResponses },
        },
      },
      async (request) => {
        const { actor } = requireUser(request);
        return { changed: await ctx.people.setStatus(actor, request.params.id, [request.params.userId], status) };
      },
    );
  }

  app.post(
    '/api/customers/:id/users/bulk',
    {
      schema: {
        tags: ['people'],
        summary: 'One action on a selection of users: disable, enable, or reset passwords (must change at next sign-in)',
        description: 'All or nothing. `reset-password` answers the new passwords once; they are never stored in clear.',
        params: IdParams,
        body: Type.Object(
          { action: Type.Enum(['disable', 'enable', 'reset-password']), userIds: Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ changed: Type.Array(Type.String()), passwords: Type.Array(IssuedPassword) }), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.people.bulk(actor, request.params.id, request.body.action as never, request.body.userIds);
    },
  );
}
