import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { LmsRosterSync } from '../../../lti13/lms-sync.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { ErrorBody, errorResponses } from '../schemas.js';

const ClassParams = Type.Object({ id: Type.String({ maxLength: 100 }), classId: Type.String({ maxLength: 100 }) });
const LmsContext = Type.Object({
  contextId: Type.String(),
  title: Type.String(),
  issuer: Type.String(),
  host: Type.String({ description: 'the host that serves the members' }),
});

/** Class rosters from the LMS (NRPS 2.0): whether a class has an LMS course, and Sync from LMS. */
export async function lti13MembershipRoutes(app: App, ctx: AppContext): Promise<void> {
  // The process's one token cache, read per request (a test may swap it).
  const sync = () => new LmsRosterSync({ db: ctx.db.kysely, runs: ctx.runs, outbound: ctx.outbound, tokens: ctx.lti13.tokens });

  app.get(
    '/api/customers/:id/classes/:classId/lms-sync',
    {
      schema: {
        tags: ['lti13'],
        summary: 'The LMS course (LTI 1.3 context) a class was made from, or null: the Class page shows Sync from LMS only for such a class',
        params: ClassParams,
        response: { 200: Type.Object({ context: Type.Union([LmsContext, Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return { context: await sync().contextOfClass(actor, request.params.id, request.params.classId) };
    },
  );

  app.post(
    '/api/customers/:id/classes/:classId/lms-sync',
    {
      schema: {
        tags: ['lti13'],
        summary:
          "Pull the class's members from its LMS course (NRPS 2.0) now, as a roster run: queued at once, follow it at …/roster/runs/:runId. " +
          'Adds the course members as users and enrollments (matched to rostered users by Match with); ends the enrollments of members who left this class; never deletes users. ' +
          '409 SYNC_NO_SOURCE for a class without an LMS course; 409 SYNC_IN_PROGRESS while a sync of the customer is queued or running. Customer and enterprise admins.',
        params: ClassParams,
        response: { 202: Type.Object({ runId: Type.String() }), ...errorResponses, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const run = await sync().requestForClass(actor, request.params.id, request.params.classId);
      return reply.status(202).send({ runId: run.runId });
    },
  );
}
