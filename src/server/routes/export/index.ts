import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { ExportCancelled } from '../../../privacy/export/export-zip.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

/** The customer data export: one zip of everything Lectern keeps of a customer. */
export async function exportRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get(
    '/api/customers/:id/export',
    {
      schema: {
        tags: ['customers'],
        summary:
          "Every record of the customer as one zip (enterprise admins, and the customer's own admins): the roster as a OneRoster 1.2 bundle, people, assignments, reading progress, LTI links and grade reports, the audit log as CSV, the uploaded titles, and a README. No passwords. Streamed as it is written: a failure part-way ends the download with an error, never with a complete-looking zip.",
        params: IdParams,
        produces: ['application/zip'],
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const started = await ctx.exports.start(actor, request.params.id);
      started.done.catch((err: unknown) => {
        if (err instanceof ExportCancelled) request.log.info({ customerId: request.params.id }, 'customer export cancelled: the download was closed');
        else request.log.error({ err, customerId: request.params.id }, 'customer export failed part-way; the download was ended with an error');
      });
      return reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${started.fileName}"`).header('cache-control', 'no-store').send(started.stream);
    },
  );
}
