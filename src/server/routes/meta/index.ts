import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { PERIODS } from '../../../customers/customer-schema.js';
import { checkHealth } from '../../../health.js';
import { AppError } from '../../../errors.js';
import { isValidTimeZone, nextRunAt } from '../../../rostering/schedule.js';
import type { App } from '../../types.js';
import { ErrorBody } from '../schemas.js';

/** Small lookups the console's forms use, and the health check for load balancers. */
export async function metaRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get('/api/meta/time-zones', { schema: { tags: ['meta'], summary: 'IANA time zones for the customer form', response: { 200: Type.Array(Type.String()) } } }, async () =>
    Intl.supportedValuesOf('timeZone'),
  );

  app.get(
    '/api/meta/next-run',
    {
      schema: {
        tags: ['meta'],
        summary: 'When an Auto sync with this period would next run, in the given time zone',
        querystring: Type.Object({ period: Type.Enum([...PERIODS]), timeZone: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ nextRunAt: Type.String(), local: Type.String() }), 400: ErrorBody },
      },
    },
    async (request) => {
      const { period, timeZone } = request.query;
      if (!isValidTimeZone(timeZone)) throw new AppError('VALIDATION_FAILED', undefined, { fields: [{ field: 'query.timeZone', message: 'Unknown time zone.' }] });
      const at = nextRunAt(period as (typeof PERIODS)[number], timeZone, new Date());
      const local = new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(at);
      return { nextRunAt: at.toISOString(), local: `${local} (${timeZone})` };
    },
  );

  app.get(
    '/api/meta/limits',
    {
      schema: {
        tags: ['meta'],
        summary: 'Limits the console checks before sending (the server enforces them too)',
        response: { 200: Type.Object({ maxBundleBytes: Type.Integer(), maxBookBytes: Type.Integer() }) },
      },
    },
    async () => ({ maxBundleBytes: ctx.config.maxBundleBytes, maxBookBytes: ctx.config.maxBookBytes }),
  );

  app.get(
    '/api/health',
    {
      schema: {
        tags: ['meta'],
        summary: 'Liveness, database reachability, and how many Auto customers have a stale roster feed (no successful sync for two periods)',
        response: { 200: Type.Object({ status: Type.String(), database: Type.String(), staleFeeds: Type.Integer() }), 503: ErrorBody },
      },
    },
    async () => checkHealth(ctx.db),
  );
}
