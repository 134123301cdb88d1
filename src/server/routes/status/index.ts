import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { StatusService } from '../../../status/status-service.js';
import { STATUS_STATES, type StatusSource, type StatusState } from '../../../status/status-view.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { PageQuery, errorResponses, paging } from '../schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const CustomerStatus = Type.Object({
  customerId: Type.String(),
  name: Type.String(),
  code: Type.String(),
  customerStatus: Type.Enum(['active', 'disabled']),
  timeZone: Type.String(),
  source: Type.Enum(['api', 'sftp', 'zip', 'none']),
  syncFrequency: Nullable(Type.Enum(['auto', 'manual'])),
  period: Nullable(Type.String()),
  lastSync: Nullable(
    Type.Object({
      runId: Type.String(),
      trigger: Type.String({ description: 'upload | cli | sftp | api | lms' }),
      status: Type.String(),
      createdAt: Type.String(),
      finishedAt: Nullable(Type.String()),
    }),
  ),
  lastSuccessAt: Nullable(Type.String()),
  nextRunAt: Nullable(Type.String({ description: 'The next Auto slot (ISO-8601 UTC), for active Auto customers pulled by SFTP or API' })),
  stale: Type.Boolean({ description: 'An Auto customer without a successful sync for two of its periods' }),
  heldRuns: Type.Integer({ description: 'Runs awaiting approval' }),
  oldestHeldRunId: Nullable(Type.String()),
  failedOutcomeCalls: Type.Integer({ description: 'LTI grade reports that failed in the last 7 days' }),
  state: Type.Enum([...STATUS_STATES]),
});

/** The enterprise admin's status page: how every customer's feeds and grade reports are doing. */
export async function statusRoutes(app: App, ctx: AppContext): Promise<void> {
  const status = new StatusService(ctx.db.kysely);
  app.get(
    '/api/status',
    {
      schema: {
        tags: ['status'],
        summary: "Every customer's last sync, next run, stale feed, held runs and failed LTI grade reports (enterprise admins and operators), with filters and paging",
        querystring: Type.Object(
          {
            ...PageQuery,
            source: Type.Optional(Type.Enum(['api', 'sftp', 'zip', 'none'], { description: 'Only customers whose roster comes from this source' })),
            problems: Type.Optional(Type.Boolean({ description: 'Only customers with a failed sync, a held run, a stale feed or failed grade reports' })),
            state: Type.Optional(Type.Enum([...STATUS_STATES], { description: 'Only customers in this state; `counts` still covers every state' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(CustomerStatus),
            total: Type.Integer(),
            page: Type.Integer(),
            pageSize: Type.Integer(),
            counts: Type.Object(Object.fromEntries(STATUS_STATES.map((s) => [s, Type.Integer()])), { description: 'Customers in each state, over the whole filtered list' }),
            generatedAt: Type.String(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const q = request.query;
      const answer = await status.list(actor, {
        search: q.search?.trim() || undefined,
        source: q.source as StatusSource | undefined,
        problems: q.problems,
        state: q.state as StatusState | undefined,
        limit: p.limit,
        offset: p.offset,
      });
      return { ...answer, page: p.page, pageSize: p.pageSize };
    },
  );
}
