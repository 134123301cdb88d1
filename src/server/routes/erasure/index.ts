import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { CertificateDetailView, CertificateView, EraseBody, OffboardingBody, OffboardingView } from '../../../privacy/erasure/erasure-view.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { ErrorBody, Page, PageQuery, errorResponses, paging } from '../schemas.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const UserParams = Type.Object({ id: Type.String({ maxLength: 100 }), userId: Type.String({ maxLength: 100 }) });
const CertificateParams = Type.Object({ id: Type.String({ maxLength: 100 }), erasureId: Type.String({ maxLength: 100 }) });

/** Erasure: of a customer and of a person, with certificates (JSON and PDF), and customers' offboarding periods. */
export async function erasureRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get(
    '/api/customers/:id/offboarding',
    {
      schema: {
        tags: ['erasure'],
        summary: "A customer's offboarding: when it was disabled, its period, and when the daily purge erases it (enterprise and customer admins)",
        params: IdParams,
        response: { 200: OffboardingView, ...errorResponses },
      },
    },
    async (request) => ctx.erasure.offboarding(requireUser(request).actor, request.params.id),
  );

  app.put(
    '/api/customers/:id/offboarding',
    {
      schema: {
        tags: ['erasure'],
        summary: "Set a customer's offboarding period: days from disabling to erasure, or null for LECTERN_OFFBOARDING_DAYS (enterprise admins)",
        params: IdParams,
        body: OffboardingBody,
        response: { 200: OffboardingView, ...errorResponses },
      },
    },
    async (request) => ctx.erasure.setOffboarding(requireUser(request).actor, request.params.id, request.body),
  );

  app.post(
    '/api/customers/:id/erase',
    {
      schema: {
        tags: ['erasure'],
        summary: "Erase a customer now: every record and file; a certificate and one audit entry stay (enterprise admins; `confirm` is the customer's code)",
        params: IdParams,
        body: EraseBody,
        response: { 200: CertificateDetailView, ...errorResponses, 409: ErrorBody },
      },
    },
    async (request) => ctx.erasure.eraseCustomer(requireUser(request).actor, request.params.id, request.body),
  );

  app.post(
    '/api/customers/:id/users/:userId/erase',
    {
      schema: {
        tags: ['erasure'],
        summary:
          "Erase one person everywhere, now, with a certificate (those who may manage the person; `confirm` is their login). The customer's kept roster files, held and queued runs end with it.",
        params: UserParams,
        body: EraseBody,
        response: { 200: CertificateDetailView, ...errorResponses, 409: ErrorBody },
      },
    },
    async (request) => ctx.erasure.erasePerson(requireUser(request).actor, request.params.id, request.params.userId, request.body),
  );

  app.get(
    '/api/erasures',
    {
      schema: {
        tags: ['erasure'],
        summary: "Erasure certificates, newest first: every customer's for enterprise admins (erased customers too), their own customer's for a customer's admins",
        querystring: Type.Object({ ...PageQuery, kind: Type.Optional(Type.Enum(['customer', 'person'])) }, { additionalProperties: false }),
        response: { 200: Page(CertificateView), ...errorResponses },
      },
    },
    async (request) => {
      const p = paging(request.query);
      const kind = request.query.kind as 'customer' | 'person' | undefined;
      const { items, total } = await ctx.erasure.listCertificates(requireUser(request).actor, { search: request.query.search, kind, limit: p.limit, offset: p.offset });
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );

  app.get(
    '/api/customers/:id/erasures/:erasureId',
    {
      schema: {
        tags: ['erasure'],
        summary: 'An erasure certificate with its manifest (the JSON its SHA-256 is made of); readable after the customer is gone',
        params: CertificateParams,
        response: { 200: CertificateDetailView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const certificate = await ctx.erasure.certificate(requireUser(request).actor, request.params.id, request.params.erasureId);
      return reply.header('content-disposition', `attachment; filename="erasure-${certificate.id}.json"`).send(certificate);
    },
  );

  app.get(
    '/api/customers/:id/erasures/:erasureId/certificate.pdf',
    {
      schema: { tags: ['erasure'], summary: 'An erasure certificate as a PDF', params: CertificateParams, produces: ['application/pdf'] },
    },
    async (request, reply) => {
      const pdf = await ctx.erasure.certificatePdf(requireUser(request).actor, request.params.id, request.params.erasureId);
      return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="erasure-${request.params.erasureId}.pdf"`).send(pdf);
    },
  );
}
