import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { assertReaderAccess } from '../../../accounts/policy.js';
import type { AppContext } from '../../../context.js';
import type { FileResponse } from '../../../reader/reader-service.js';
import { ReaderSettingsSchema } from '../../../reader/settings-schema.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { ErrorBody, errorResponses } from '../schemas.js';

const BookParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const BookCard = Type.Object({
  id: Type.String(),
  title: Type.String(),
  author: Type.String(),
  format: Type.Union([Type.Literal('epub'), Type.Literal('pdf')]),
  coverUrl: Nullable(Type.String()),
  progress: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  lastReadAt: Nullable(Type.String()),
});
const BookDetail = Type.Intersect([BookCard, Type.Object({ sizeBytes: Type.Integer(), fileUrl: Type.String(), position: Nullable(Type.String()) })]);
const Progress = Type.Object({ position: Type.String(), progress: Type.Number(), updatedAt: Type.String() });
const Bookshelf = Type.Object({
  books: Type.Array(BookCard),
  classes: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), classCode: Type.String(), books: Type.Array(BookCard) })),
  collections: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), description: Type.String(), bookCount: Type.Integer() })),
});
const Collection = Type.Object({ id: Type.String(), name: Type.String(), description: Type.String(), books: Type.Array(BookCard) });

const settingsSummary = 'Your reading settings: font (`book`, `serif`, `sans`, `dyslexic`), `fontSize` in percent, `lineSpacing`, `theme` and `language` (null: the browser’s)';

/** The signed-in reader's own customer and user id: the only scope reader routes ever use. */
function readerOf(request: FastifyRequest): { customerId: string; userId: string } {
  return assertReaderAccess(requireUser(request).actor);
}

function sendFile(reply: FastifyReply, file: FileResponse) {
  reply.status(file.status).headers(file.headers);
  return reply.send(file.body ?? undefined);
}

/**
 * The reader API: the signed-in user's bookshelf, a title's metadata, file (with Range) and cover,
 * and reading progress. Open to every member of a customer (students, teachers, LTI readers);
 * everything is resolved from the session, so ids from another school find nothing.
 */
export async function readerRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get(
    '/api/reader/bookshelf',
    { schema: { tags: ['reader'], summary: 'Your titles (assigned to you and your classes) and, for teachers, each class’s shelf', response: { 200: Bookshelf, 401: ErrorBody, 403: ErrorBody } } },
    async (request) => {
      const r = readerOf(request);
      return ctx.reader.bookshelf(r.customerId, r.userId);
    },
  );

  app.get(
    '/api/reader/books/:id',
    { schema: { tags: ['reader'], summary: 'A title you may read, with where you left off', params: BookParams, response: { 200: BookDetail, ...errorResponses } } },
    async (request) => {
      const r = readerOf(request);
      return ctx.reader.book(r.customerId, r.userId, request.params.id);
    },
  );

  app.get(
    '/api/reader/books/:id/file',
    {
      schema: {
        tags: ['reader'],
        summary: 'The title’s EPUB or PDF file; supports a single `Range: bytes=…` (206), `If-Range` and `If-None-Match`',
        params: BookParams,
        produces: ['application/epub+zip', 'application/pdf'],
        response: { ...errorResponses, 416: ErrorBody },
      },
    },
    async (request, reply) => {
      const r = readerOf(request);
      const h = request.headers;
      const file = await ctx.reader.file(r.customerId, r.userId, request.params.id, {
        range: h.range,
        ifRange: typeof h['if-range'] === 'string' ? h['if-range'] : undefined,
        ifNoneMatch: h['if-none-match'],
      });
      return sendFile(reply, file);
    },
  );

  app.get(
    '/api/reader/books/:id/cover',
    {
      schema: { tags: ['reader'], summary: 'The title’s cover image', params: BookParams, produces: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml'], response: errorResponses },
    },
    async (request, reply) => {
      const r = readerOf(request);
      return sendFile(reply, await ctx.reader.cover(r.customerId, r.userId, request.params.id));
    },
  );

  app.get(
    '/api/reader/books/:id/progress',
    { schema: { tags: ['reader'], summary: 'Where you are in the title (null before you first open it)', params: BookParams, response: { 200: Nullable(Progress), ...errorResponses } } },
    async (request) => {
      const r = readerOf(request);
      return ctx.reader.getProgress(r.customerId, r.userId, request.params.id);
    },
  );

  app.put(
    '/api/reader/books/:id/progress',
    {
      schema: {
        tags: ['reader'],
        summary: 'Save where you are: an EPUB CFI or PDF page as `position`, and `progress` from 0 to 1',
        params: BookParams,
        body: Type.Object({ position: Type.String({ minLength: 1, maxLength: 2000 }), progress: Type.Number({ minimum: 0, maximum: 1 }) }, { additionalProperties: false }),
        response: { 200: Progress, ...errorResponses },
      },
    },
    async (request) => {
      const r = readerOf(request);
      return ctx.reader.saveProgress(r.customerId, r.userId, request.params.id, request.body);
    },
  );

  app.get(
    '/api/reader/collections/:id',
    { schema: { tags: ['reader'], summary: 'A collection’s titles that you may read', params: BookParams, response: { 200: Collection, ...errorResponses } } },
    async (request) => {
      const r = readerOf(request);
      return ctx.reader.collection(r.customerId, r.userId, request.params.id);
    },
  );

  app.get('/api/reader/settings', { schema: { tags: ['reader'], summary: settingsSummary, response: { 200: ReaderSettingsSchema, 401: ErrorBody, 403: ErrorBody } } }, async (request) => {
    const r = readerOf(request);
    return ctx.reader.settings(r.customerId, r.userId);
  });

  app.put(
    '/api/reader/settings',
    {
      schema: {
        tags: ['reader'],
        summary: `Replace ${settingsSummary.charAt(0).toLowerCase()}${settingsSummary.slice(1)}`,
        body: ReaderSettingsSchema,
        response: { 200: ReaderSettingsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const r = readerOf(request);
      return ctx.reader.saveSettings(requireUser(request).actor, r.customerId, r.userId, request.body);
    },
  );
}
