import { Type, type TSchema } from 'typebox';
import type { AppContext } from '../../../context.js';
import { requestPull } from '../../../rostering/sources/pull.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { ErrorBody, errorResponses } from '../schemas.js';

const CustomerParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

/** Sync with OneRoster now: `POST /api/customers/:id/roster/sync` (the Class tab's button). */
export async function syncRoutes(app: App, ctx: AppContext, schemas: { Run: TSchema }): Promise<void> {
  app.post(
    '/api/customers/:id/roster/sync',
    {
      schema: {
        tags: ['roster'],
        summary:
          "Pull the customer's roster from its SFTP server or OneRoster API now. The run is recorded as queued at once (follow it at …/roster/runs/:runId). " +
          '`force` reads the source even if unchanged; `full` asks an API for every record instead of the changes. ' +
          '409 SYNC_IN_PROGRESS while a sync of the customer is queued or running; 409 SYNC_NO_SOURCE for ZIP Upload customers. Customer and enterprise admins.',
        params: CustomerParams,
        body: Type.Object({ force: Type.Optional(Type.Boolean()), full: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 202: schemas.Run, ...errorResponses, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const run = await requestPull(ctx, actor, request.params.id, { force: request.body.force, full: request.body.full });
      return reply.status(202).send(run);
    },
  );
}
