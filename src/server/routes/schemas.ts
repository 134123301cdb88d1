import { Type, type TSchema } from 'typebox';

/** The error body every failing route answers with. */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String(), code: Type.Optional(Type.String()) }))),
  }),
});

/** Paging query parameters shared by every list. */
export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  search: Type.Optional(Type.String({ maxLength: 200 })),
};

/** A page of items of one schema. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });
}

/** Limit and offset for a page request, with defaults. */
export function paging(q: { page?: number; pageSize?: number }): { page: number; pageSize: number; limit: number; offset: number } {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 25;
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize };
}

/** Standard error responses to document on a route. */
export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } as const;
