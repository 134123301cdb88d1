import { Type, type Static } from 'typebox';
import type { AuditQuery } from '../../../audit/audit-log-service.js';
import type { AppContext } from '../../../context.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { Page, PageQuery, errorResponses, paging } from '../schemas.js';

const Filters = {
  customer: Type.Optional(Type.String({ maxLength: 100, description: "A customer's id: its entries only (enterprise admins; a customer admin sees only their own customer's)" })),
  actor: Type.Optional(Type.String({ maxLength: 255, description: 'Who acted: their login as recorded, or their user id' })),
  action: Type.Optional(Type.String({ maxLength: 100, description: 'An action (`user.viewed`), or all under a prefix (`user`)' })),
  person: Type.Optional(Type.String({ maxLength: 255, description: 'Whom the entry is about: a user id, or the login of someone who has an account' })),
  kind: Type.Optional(Type.Enum(['read', 'write'], { description: '`read`: personal data shown or downloaded; `write`: a change' })),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'From this date (YYYY-MM-DD, UTC midnight) or ISO 8601 time, inclusive' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'Before this date or time, exclusive' })),
};

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  kind: Type.Enum(['read', 'write']),
  action: Type.String(),
  customer: Type.Union([Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() }), Type.Null()]),
  actor: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), label: Type.String() }),
  target: Type.Object({ type: Type.String(), id: Type.String(), name: Type.Union([Type.String(), Type.Null()], { description: "A class's title while it exists" }) }),
  person: Type.Union([
    Type.Object({
      id: Type.String(),
      login: Type.Union([Type.String(), Type.Null()]),
      name: Type.Union([Type.String(), Type.Null()], { description: 'From the account as it is now; null when the person no longer has one' }),
    }),
    Type.Null(),
  ]),
  fields: Type.Array(Type.String(), { description: 'Names of changed fields, or of the filters a read used; never values' }),
});

const filtersOf = (q: Partial<Static<Type.TObject<typeof Filters>>>): AuditQuery => ({
  customerId: q.customer,
  actor: q.actor,
  action: q.action,
  person: q.person,
  kind: q.kind,
  from: q.from,
  to: q.to,
});

/** The Audit page's API: entries (reads and changes) with filters and paging, and their CSV. */
export async function auditRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get(
    '/api/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Who changed or looked at what, newest first: every customer for enterprise admins, their own for customer admins',
        querystring: Type.Object({ page: PageQuery.page, pageSize: PageQuery.pageSize, ...Filters }, { additionalProperties: false }),
        response: { 200: Page(AuditEntry), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const { items, total } = await ctx.auditLog.page(actor, filtersOf(request.query), p.limit, p.offset);
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );

  app.get(
    '/api/audit.csv',
    {
      schema: {
        tags: ['audit'],
        summary: "The audit entries matching the filters as CSV, newest first (the download is itself logged as 'audit.exported')",
        querystring: Type.Object(Filters, { additionalProperties: false }),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const csv = await ctx.auditLog.csv(actor, filtersOf(request.query));
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit.csv"').header('cache-control', 'no-store').send(csv);
    },
  );
}
