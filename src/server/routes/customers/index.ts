import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { ConnectionReportView, ConnectionTestBody, CustomerCreateBody, CustomerPatchBody, CustomerView } from '../../../customers/customer-schema.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { ErrorBody, Page, PageQuery, errorResponses, paging } from '../schemas.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const LtiCredentials = Type.Object({ version: Type.String(), consumerKey: Type.String(), sharedSecret: Type.String(), launchUrl: Type.String() });
const CreatedCustomer = Type.Intersect([
  Type.Omit(CustomerView, ['lti']),
  Type.Object({ lti: Type.Intersect([LtiCredentials, Type.Omit(CustomerView.properties.lti, ['version', 'consumerKey', 'launchUrl'])]) }),
]);
const RegistrationLink = Type.Object({
  registrationUrl: Type.String({ description: 'LECTERN_PUBLIC_URL/lti/1.3/register/<code>?token=<one-time secret>: paste it into the LMS once; shown only now' }),
  expiresAt: Type.String(),
});

/** Customers: add, list with search, read, edit, disable, test the roster connection, rotate the LTI secret, audit trail. */
export async function customerRoutes(app: App, ctx: AppContext): Promise<void> {
  app.post(
    '/api/customers',
    {
      schema: {
        tags: ['customers'],
        summary: "Add a customer (enterprise admins). The LTI shared secret, and an LTI 1.3 customer's registration URL (lti.tool), are in this response only.",
        body: CustomerCreateBody,
        response: { 201: CreatedCustomer, ...errorResponses, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      return reply.status(201).send(await ctx.customers.create(actor, request.body));
    },
  );

  const testSummary = 'Test connection (enterprise admins): try the SFTP or OneRoster API settings step by step; nothing is saved';
  app.post(
    '/api/customers/test-connection',
    { schema: { tags: ['customers'], summary: `${testSummary} (Add Customer's unsaved values)`, body: ConnectionTestBody, response: { 200: ConnectionReportView, ...errorResponses } } },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.connectionTests.test(actor, request.body);
    },
  );

  app.post(
    '/api/customers/:id/test-connection',
    {
      schema: {
        tags: ['customers'],
        summary: `${testSummary} (Edit Customer: a secret left blank is the stored one, sent only to the host and username, or URLs and key, it was saved for)`,
        params: IdParams,
        body: ConnectionTestBody,
        response: { 200: ConnectionReportView, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.connectionTests.test(actor, request.body, request.params.id);
    },
  );

  app.get(
    '/api/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'List customers with search and paging (enterprise admins)',
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(Type.Enum(['active', 'disabled'])) }, { additionalProperties: false }),
        response: { 200: Page(CustomerView), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const { items, total } = await ctx.customers.list(actor, { search: request.query.search, status: request.query.status as 'active' | 'disabled' | undefined, limit: p.limit, offset: p.offset });
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );

  app.get('/api/customers/:id', { schema: { tags: ['customers'], summary: 'One customer', params: IdParams, response: { 200: CustomerView, ...errorResponses } } }, async (request) => {
    const { actor } = requireUser(request);
    return ctx.customers.get(actor, request.params.id);
  });

  app.patch(
    '/api/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'Edit a customer; omitted fields and empty secrets are kept. `status: disabled` disables it.',
        params: IdParams,
        body: CustomerPatchBody,
        response: { 200: CustomerView, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.customers.update(actor, request.params.id, request.body);
    },
  );

  app.post(
    '/api/customers/:id/lti/rotate',
    { schema: { tags: ['customers'], summary: 'Replace the LTI shared secret (shown once)', params: IdParams, response: { 200: LtiCredentials, ...errorResponses } } },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.customers.rotateLtiSecret(actor, request.params.id);
    },
  );

  app.post(
    '/api/customers/:id/lti/1.3/registration-url',
    {
      schema: {
        tags: ['customers', 'lti13'],
        summary: 'Mint a fresh LTI 1.3 Dynamic Registration URL (enterprise admins): single-use, expiring; earlier unused ones stop working',
        description: "A 1.1 customer's completed registration makes it `both`: it keeps its consumer key while it adds the platform.",
        params: IdParams,
        response: { 200: RegistrationLink, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.customers.mintRegistrationUrl(actor, request.params.id);
    },
  );

  app.get(
    '/api/customers/:id/audit',
    {
      schema: {
        tags: ['customers'],
        summary: 'Who changed what, newest first (field names only, never values)',
        params: IdParams,
        querystring: Type.Object({ page: PageQuery.page, pageSize: PageQuery.pageSize }, { additionalProperties: false }),
        response: {
          200: Type.Array(
            Type.Object({ id: Type.Number(), at: Type.String(), actor: Type.String(), action: Type.String(), targetType: Type.String(), targetId: Type.String(), fields: Type.Array(Type.String()) }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      return ctx.customers.auditTrail(actor, request.params.id, p.limit, p.offset);
    },
  );
}
