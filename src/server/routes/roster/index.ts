import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { storeBundle } from '../../../rostering/runs/bundle-store.js';
import { enqueueRosterRun } from '../../../rostering/runs/run-jobs.js';
import { receiveUpload, registerUploads } from '../../multipart.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { ErrorBody, PageQuery, errorResponses, paging } from '../schemas.js';
import { syncRoutes } from './sync.js';

const CustomerParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const RunParams = Type.Object({ id: Type.String({ maxLength: 100 }), runId: Type.String({ maxLength: 100 }) });
const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), deleted: Type.Integer(), restored: Type.Integer(), skipped: Type.Integer() });
const Run = Type.Object({
  runId: Type.String(),
  customerId: Type.String(),
  status: Type.String(),
  stage: Type.String(),
  dryRun: Type.Boolean(),
  trigger: Type.String(),
  actor: Type.String(),
  fileName: Type.String(),
  sizeBytes: Type.Integer(),
  sha256: Type.String(),
  version: Type.Union([Type.String(), Type.Null()]),
  modes: Type.Record(Type.String(), Type.String()),
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer() }),
  counts: Type.Record(Type.String(), Counts),
  issueCounts: Type.Object({ error: Type.Integer(), warning: Type.Integer(), info: Type.Integer() }),
  holdReason: Type.String(),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  passwords: Type.Object({ queued: Type.Integer(), pending: Type.Union([Type.Integer(), Type.Null()]) }),
});
const Issue = Type.Object({
  file: Type.Union([Type.String(), Type.Null()]),
  line: Type.Union([Type.Integer(), Type.Null()]),
  column: Type.Union([Type.String(), Type.Null()]),
  sourcedId: Type.Union([Type.String(), Type.Null()]),
  severity: Type.String(),
  code: Type.String(),
  message: Type.String(),
});

const Finding = Type.Object({
  ...Issue.properties,
  count: Type.Integer({ description: 'How many rows this finding stands for (1 unless grouped)' }),
  lines: Type.Array(Type.Integer(), { description: 'The first lines it was found on (at most 5)' }),
});

/** Upload Roster File, run status and history, issues (JSON and CSV), the plan, approve and discard. */
export async function rosterRoutes(app: App, ctx: AppContext): Promise<void> {
  await registerUploads(app, ctx.config.maxBundleBytes);
  await syncRoutes(app, ctx, { Run });

  app.post(
    '/api/customers/:id/roster/uploads',
    {
      schema: {
        tags: ['roster'],
        summary: 'Upload a OneRoster zip (multipart field `file`; field `dryRun=true` for a preview; `force=true` to read a file identical to the last one applied). The run is queued.',
        consumes: ['multipart/form-data'],
        params: CustomerParams,
        body: Type.Object(
          { file: Type.String({ format: 'binary', description: 'The OneRoster zip bundle' }), dryRun: Type.Optional(Type.Enum(['true', 'false'])), force: Type.Optional(Type.Enum(['true', 'false'])) },
          { 'x-multipart': true },
        ),
        response: { 202: Run, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      // The wall and the customer's existence first, so nothing reaches the disk for a customer that is not there.
      await ctx.runs.assertMayStart(actor, request.params.id);
      const upload = await receiveUpload(
        request,
        (file) => storeBundle(file, ctx.bundles, ctx.config.maxBundleBytes),
        () => new AppError('VALIDATION_FAILED', undefined, { fields: [{ field: 'file', message: 'Choose a .zip file to upload.' }] }),
      );
      const { stored } = upload;
      const fileName = upload.fileName || 'roster.zip';
      const dryRun = upload.fields.dryRun === 'true';
      const force = upload.fields.force === 'true';
      const run = await ctx.runs.create(actor, request.params.id, { trigger: 'upload', fileName, sizeBytes: stored.sizeBytes, sha256: stored.sha256, bundlePath: stored.path, dryRun });
      await enqueueRosterRun(ctx.jobs, { runId: run.runId, customerId: run.customerId, bundlePath: stored.path, force });
      return reply.status(202).send(run);
    },
  );

  app.get(
    '/api/customers/:id/roster/runs',
    {
      schema: {
        tags: ['roster'],
        summary: "The customer's roster runs, newest first",
        params: CustomerParams,
        querystring: Type.Object({ page: PageQuery.page, pageSize: PageQuery.pageSize }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Run), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const { items, total } = await ctx.runs.list(actor, request.params.id, p.limit, p.offset);
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );

  app.get(
    '/api/customers/:id/roster/runs/:runId',
    { schema: { tags: ['roster'], summary: 'One run: status, stage, progress, counts', params: RunParams, response: { 200: Run, ...errorResponses } } },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.runs.get(actor, request.params.id, request.params.runId);
    },
  );

  app.get(
    '/api/customers/:id/roster/runs/:runId/issues',
    {
      schema: {
        tags: ['roster'],
        summary: "A run's issues, with filters and paging; grouped=true gives one finding per file and code (count, first lines), the CSV every row",
        params: RunParams,
        querystring: Type.Object(
          {
            page: PageQuery.page,
            pageSize: PageQuery.pageSize,
            severity: Type.Optional(Type.Enum(['error', 'warning', 'info'])),
            code: Type.Optional(Type.String({ maxLength: 80 })),
            grouped: Type.Optional(Type.Boolean({ description: 'One finding per file, code and severity; total counts findings' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Finding), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const { items, total } = await ctx.runReports.issues(actor, request.params.id, request.params.runId, {
        severity: request.query.severity as 'error' | 'warning' | 'info' | undefined,
        code: request.query.code,
        grouped: request.query.grouped,
        limit: p.limit,
        offset: p.offset,
      });
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );

  app.get(
    '/api/customers/:id/roster/runs/:runId/issues.csv',
    { schema: { tags: ['roster'], summary: "A run's issues as CSV (never passwords)", params: RunParams, produces: ['text/csv'] } },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const csv = await ctx.runReports.issuesCsv(actor, request.params.id, request.params.runId);
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="roster-run-${request.params.runId}-issues.csv"`);
      return reply.send(csv);
    },
  );

  app.get(
    '/api/customers/:id/roster/runs/:runId/changes',
    {
      schema: {
        tags: ['roster'],
        summary: "A run's plan: what it creates, updates, deletes and restores, with reasons and changed fields",
        params: RunParams,
        querystring: Type.Object(
          {
            page: PageQuery.page,
            pageSize: PageQuery.pageSize,
            entity: Type.Optional(Type.Enum(['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments'])),
            action: Type.Optional(Type.Enum(['create', 'update', 'delete', 'restore'])),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                entity: Type.String(),
                action: Type.String(),
                sourcedId: Type.String(),
                targetId: Type.Union([Type.String(), Type.Null()]),
                name: Type.String({ description: "What people call the record: a person's name, a class's title, an enrollment as 'person in class'; '' when unknown" }),
                fields: Type.Record(Type.String(), Type.Array(Type.Unknown())),
                reason: Type.String(),
              }),
            ),
            total: Type.Integer(),
            page: Type.Integer(),
            pageSize: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const { items, total } = await ctx.runReports.changes(actor, request.params.id, request.params.runId, {
        entity: request.query.entity,
        action: request.query.action,
        limit: p.limit,
        offset: p.offset,
      });
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );

  app.post(
    '/api/customers/:id/roster/runs/:runId/apply',
    {
      schema: {
        tags: ['roster'],
        summary: "Apply a finished preview: a new run reads the preview's file again and applies it (queued)",
        params: RunParams,
        response: { 202: Run, ...errorResponses, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const { bundlePath, ...run } = await ctx.runs.applyPreview(actor, request.params.id, request.params.runId);
      await enqueueRosterRun(ctx.jobs, { runId: run.runId, customerId: run.customerId, bundlePath });
      return reply.status(202).send(run);
    },
  );

  for (const decision of ['approve', 'discard'] as const) {
    app.post(
      `/api/customers/:id/roster/runs/:runId/${decision}`,
      {
        schema: {
          tags: ['roster'],
          summary: decision === 'approve' ? 'Apply a held run exactly as planned (refused if the roster changed since)' : 'End a held run without applying it',
          params: RunParams,
          response: { 200: Run, ...errorResponses, 409: ErrorBody },
        },
      },
      async (request) => {
        const { actor } = requireUser(request);
        const { id, runId } = request.params;
        return decision === 'approve' ? ctx.runs.approve(actor, id, runId) : ctx.runs.discard(actor, id, runId);
      },
    );
  }
}
