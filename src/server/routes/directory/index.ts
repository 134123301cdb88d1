import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { Page, PageQuery, errorResponses, paging } from '../schemas.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const UserParams = Type.Object({ id: Type.String({ maxLength: 100 }), userId: Type.String({ maxLength: 100 }) });
const ClassParams = Type.Object({ id: Type.String({ maxLength: 100 }), classId: Type.String({ maxLength: 100 }) });
const Json = Type.Unknown();

/** A user as lists show it (directory/views.ts UserView). */
export const UserView = Type.Object({
  id: Type.String(),
  sourcedId: Type.Union([Type.String(), Type.Null()]),
  username: Type.String(),
  login: Type.String(),
  email: Type.String(),
  identifier: Type.String(),
  givenName: Type.String(),
  familyName: Type.String(),
  role: Type.String(),
  source: Type.String(),
  status: Type.String(),
  passwordSource: Type.Enum(['here', 'roster', 'none'], { description: "`here`: set in Lectern, it wins until the roster brings a different password; `roster`: the roster's" }),
});

/** A customer's people and classes: the Users and Class tabs, user and class pages, Restore. */
export async function directoryRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get(
    '/api/customers/:id/users',
    {
      schema: {
        tags: ['directory'],
        summary: "The customer's users, with search, filters and paging",
        params: IdParams,
        querystring: Type.Object(
          {
            ...PageQuery,
            role: Type.Optional(Type.Enum(['customer_admin', 'institute_admin', 'teacher', 'student', 'reader'])),
            status: Type.Optional(Type.Enum(['active', 'disabled', 'deleted'])),
            includeDeleted: Type.Optional(Type.Boolean()),
            school: Type.Optional(Type.String({ maxLength: 255, description: 'sourcedId of a school: only users with a role there' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(UserView), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const q = request.query;
      const p = paging(q);
      const { items, total } = await ctx.directory.listUsers(actor, request.params.id, {
        search: q.search,
        role: q.role as never,
        status: q.status as never,
        includeDeleted: q.includeDeleted,
        schoolSourcedId: q.school,
        limit: p.limit,
        offset: p.offset,
      });
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );

  const ClassView = Type.Object({
    id: Type.String(),
    sourcedId: Type.String(),
    title: Type.String(),
    classCode: Type.String(),
    classType: Type.String(),
    schoolSourcedId: Type.String(),
    status: Type.String(),
  });
  app.get(
    '/api/customers/:id/classes',
    {
      schema: {
        tags: ['directory'],
        summary: "The customer's classes, with search and paging",
        params: IdParams,
        querystring: Type.Object({ ...PageQuery, includeDeleted: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Page(ClassView), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const { items, total } = await ctx.directory.listClasses(actor, request.params.id, {
        search: request.query.search,
        includeDeleted: request.query.includeDeleted,
        limit: p.limit,
        offset: p.offset,
      });
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );

  app.get(
    '/api/customers/:id/users/:userId',
    {
      schema: {
        tags: ['directory'],
        summary: "A user's page: roster data, roles, classes, how it was matched, and its change history across runs",
        params: UserParams,
        response: { 200: Type.Record(Type.String(), Json), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.directory.userDetail(actor, request.params.id, request.params.userId);
    },
  );

  app.post(
    '/api/customers/:id/users/:userId/restore',
    {
      schema: {
        tags: ['directory'],
        summary: 'Restore a user a roster sync deleted, with the enrollments that ended with them',
        description:
          'A roster user is still missing from the roster that deleted them, so the next sync deletes them again: the answer then carries `missingFromRoster` and a `warning`. `keepAsManual=true` restores them as a manual (protected) account that syncs never delete.',
        params: UserParams,
        querystring: Type.Object({ keepAsManual: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: {
          200: Type.Intersect([
            UserView,
            Type.Object({
              missingFromRoster: Type.Union([Type.Object({ runId: Type.String(), at: Type.String(), fileName: Type.String() }), Type.Null()]),
              warning: Type.Union([Type.String(), Type.Null()]),
            }),
          ]),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.directory.restoreUser(actor, request.params.id, request.params.userId, { keepAsManual: request.query.keepAsManual });
    },
  );

  app.get(
    '/api/customers/:id/classes/:classId',
    { schema: { tags: ['directory'], summary: "A class's page: roster data, teachers and students", params: ClassParams, response: { 200: Type.Record(Type.String(), Json), ...errorResponses } } },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.directory.classDetail(actor, request.params.id, request.params.classId);
    },
  );

  app.get(
    '/api/customers/:id/schools',
    {
      schema: {
        tags: ['directory'],
        summary: "The customer's schools (for filters)",
        params: IdParams,
        response: { 200: Type.Array(Type.Object({ sourcedId: Type.String(), name: Type.String(), identifier: Type.String() })), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.directory.schools(actor, request.params.id);
    },
  );
}
