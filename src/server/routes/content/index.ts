import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { missingFile } from '../../../content/content-service.js';
import { registerUploads, receiveUpload } from '../../multipart.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { ErrorBody, Page, PageQuery, errorResponses, paging } from '../schemas.js';

const Id = Type.String({ maxLength: 100 });
const CustomerParams = Type.Object({ id: Id });
const BookParams = Type.Object({ id: Id, bookId: Id });
const CollectionParams = Type.Object({ id: Id, collectionId: Id });
const UserParams = Type.Object({ id: Id, userId: Id });
const ClassParams = Type.Object({ id: Id, classId: Id });

const Book = Type.Object({
  id: Type.String(),
  title: Type.String(),
  author: Type.String(),
  format: Type.Enum(['epub', 'pdf']),
  sizeBytes: Type.Integer(),
  sha256: Type.String(),
  hasCover: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const BookListItem = Type.Object({ ...Book.properties, assignmentCount: Type.Integer() });
const BookDetail = Type.Object({
  ...Book.properties,
  collections: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  assignments: Type.Object({
    users: Type.Array(Type.Object({ id: Type.String(), login: Type.String(), name: Type.String(), role: Type.String(), status: Type.String(), assignedAt: Type.String() })),
    classes: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), classCode: Type.String(), status: Type.String(), members: Type.Integer(), assignedAt: Type.String() })),
  }),
});
const Collection = Type.Object({ id: Type.String(), name: Type.String(), description: Type.String(), bookCount: Type.Integer(), createdAt: Type.String(), updatedAt: Type.String() });
const CollectionDetail = Type.Object({ ...Collection.properties, books: Type.Array(Book) });
const IdList = Type.Array(Id, { maxItems: 5000 });
const AssignmentBody = Type.Object(
  {
    bookIds: Type.Optional(IdList),
    collectionId: Type.Optional(Id),
    userIds: Type.Optional(IdList),
    classIds: Type.Optional(IdList),
  },
  { additionalProperties: false, description: 'Titles (bookIds and/or every title of collectionId) × targets (userIds, classIds). Empty lists do nothing.' },
);

/** Titles (upload, list, edit, delete, cover), collections, and assignments to users and classes. */
export async function contentRoutes(app: App, ctx: AppContext): Promise<void> {
  await registerUploads(app, ctx.config.maxBookBytes);

  app.post(
    '/api/customers/:id/content',
    {
      schema: {
        tags: ['content'],
        summary: 'Upload an EPUB or PDF (multipart field `file`). The type is read from the bytes; title, author and cover from the file, the title falling back to the file name.',
        description:
          'Refusals name the field `file` with a code: FILE_TYPE_UNSUPPORTED (415), FILE_CORRUPT (400), FILE_TOO_LARGE (413), FILE_MISSING (400). FILE_CORRUPT also covers an EPUB whose XML is out of bounds (over 4 MB, 32 levels, 50,000 elements or 64 attributes per element, or declaring DOCTYPE entities) and a file not read within 20 s. A body cut short answers BAD_REQUEST (400). Nothing is stored then.',
        consumes: ['multipart/form-data'],
        params: CustomerParams,
        body: Type.Object({ file: Type.String({ format: 'binary', description: 'The EPUB or PDF file' }) }, { 'x-multipart': true }),
        response: { 201: Book, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const customerId = request.params.id;
      // The wall first, before a byte of the file is read.
      await ctx.content.assertCustomer(actor, customerId);
      const { stored } = await receiveUpload(request, (file, fileName) => ctx.content.upload(actor, customerId, file, fileName), missingFile);
      return reply.status(201).send(stored);
    },
  );

  app.get(
    '/api/customers/:id/content',
    {
      schema: {
        tags: ['content'],
        summary: "The customer's titles by title, with search (title, author) and paging",
        params: CustomerParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: Page(BookListItem), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const { items, total } = await ctx.content.list(actor, request.params.id, { search: request.query.search, limit: p.limit, offset: p.offset });
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );

  app.get(
    '/api/customers/:id/content/:bookId/cover',
    { schema: { tags: ['content'], summary: "A title's cover image (from the EPUB; PDFs have none)", params: BookParams, produces: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] } },
    async (request, reply) => {
      const { actor } = requireUser(request);
      const cover = await ctx.content.cover(actor, request.params.id, request.params.bookId);
      if (request.headers['if-none-match'] === cover.etag) {
        cover.stream.destroy();
        return reply.status(304).send(null);
      }
      return reply
        .header('content-type', cover.type)
        .header('content-length', cover.sizeBytes)
        .header('etag', cover.etag)
        .header('cache-control', 'private, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(cover.stream);
    },
  );

  app.get(
    '/api/customers/:id/content/:bookId',
    { schema: { tags: ['content'], summary: 'One title: metadata, collections, and the users and classes it is assigned to', params: BookParams, response: { 200: BookDetail, ...errorResponses } } },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.detail(actor, request.params.id, request.params.bookId);
    },
  );

  app.patch(
    '/api/customers/:id/content/:bookId',
    {
      schema: {
        tags: ['content'],
        summary: "Edit a title's title and author",
        params: BookParams,
        body: Type.Object({ title: Type.Optional(Type.String({ maxLength: 1000 })), author: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
        response: { 200: Book, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.update(actor, request.params.id, request.params.bookId, request.body);
    },
  );

  app.delete(
    '/api/customers/:id/content/:bookId',
    { schema: { tags: ['content'], summary: 'Delete a title (soft: it leaves lists, bookshelves and collections at once)', params: BookParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      const { actor } = requireUser(request);
      await ctx.content.remove(actor, request.params.id, request.params.bookId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/customers/:id/collections',
    { schema: { tags: ['content'], summary: "The customer's collections, by name", params: CustomerParams, response: { 200: Type.Array(Collection), ...errorResponses } } },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.listCollections(actor, request.params.id);
    },
  );

  app.post(
    '/api/customers/:id/collections',
    {
      schema: {
        tags: ['content'],
        summary: 'Create a collection (names are unique within the customer)',
        params: CustomerParams,
        body: Type.Object({ name: Type.String({ maxLength: 1000 }), description: Type.Optional(Type.String({ maxLength: 5000 })) }, { additionalProperties: false }),
        response: { 201: Collection, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { actor } = requireUser(request);
      return reply.status(201).send(await ctx.content.createCollection(actor, request.params.id, request.body));
    },
  );

  app.put(
    '/api/customers/:id/collections/:collectionId/books',
    {
      schema: {
        tags: ['content'],
        summary: "Set a collection's titles in order (add, remove and reorder in one call)",
        params: CollectionParams,
        body: Type.Object({ bookIds: IdList }, { additionalProperties: false }),
        response: { 200: CollectionDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.setCollectionBooks(actor, request.params.id, request.params.collectionId, request.body.bookIds);
    },
  );

  app.get(
    '/api/customers/:id/collections/:collectionId',
    { schema: { tags: ['content'], summary: 'One collection with its titles in order', params: CollectionParams, response: { 200: CollectionDetail, ...errorResponses } } },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.collectionDetail(actor, request.params.id, request.params.collectionId);
    },
  );

  app.patch(
    '/api/customers/:id/collections/:collectionId',
    {
      schema: {
        tags: ['content'],
        summary: 'Rename or re-describe a collection',
        params: CollectionParams,
        body: Type.Object({ name: Type.Optional(Type.String({ maxLength: 1000 })), description: Type.Optional(Type.String({ maxLength: 5000 })) }, { additionalProperties: false }),
        response: { 200: Collection, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.updateCollection(actor, request.params.id, request.params.collectionId, request.body);
    },
  );

  app.delete(
    '/api/customers/:id/collections/:collectionId',
    { schema: { tags: ['content'], summary: 'Delete a collection (its titles and the assignments made from it stay)', params: CollectionParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      const { actor } = requireUser(request);
      await ctx.content.deleteCollection(actor, request.params.id, request.params.collectionId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/customers/:id/assignments',
    {
      schema: {
        tags: ['content'],
        summary: 'Assign titles, or every title of a collection, to users and classes (class members now and later, while enrolled)',
        params: CustomerParams,
        body: AssignmentBody,
        response: { 200: Type.Object({ created: Type.Integer(), books: Type.Integer(), targets: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.assign(actor, request.params.id, request.body);
    },
  );

  app.delete(
    '/api/customers/:id/assignments',
    {
      schema: {
        tags: ['content'],
        summary: 'Remove assignments of titles (or of a collection’s titles) from users and classes',
        params: CustomerParams,
        body: AssignmentBody,
        response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.unassign(actor, request.params.id, request.body);
    },
  );

  app.get(
    '/api/customers/:id/users/:userId/books',
    {
      schema: {
        tags: ['content'],
        summary: 'The titles a user may read now: assigned directly or to a class they are enrolled in',
        params: UserParams,
        response: { 200: Type.Array(Type.Object({ ...Book.properties, direct: Type.Boolean(), viaClasses: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })) })), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.booksOfUser(actor, request.params.id, request.params.userId);
    },
  );

  app.get(
    '/api/customers/:id/classes/:classId/books',
    { schema: { tags: ['content'], summary: 'The titles assigned to a class', params: ClassParams, response: { 200: Type.Array(Book), ...errorResponses } } },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.content.booksOfClass(actor, request.params.id, request.params.classId);
    },
  );
}
