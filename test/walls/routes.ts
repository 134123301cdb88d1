/*
 * Requests built from the OpenAPI document: every operation, its path parameters filled with the ids
 * of a chosen customer's records, and a minimal valid body from its schema (required fields with
 * plausible values, and every field that names records filled with those records' ids). A path
 * parameter or body field whose kind of record the walk does not know fails loudly, so a new route
 * is attacked, or stops the test, but is never skipped.
 */
import type { RecordKind } from './tenant.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** The part of a JSON schema the sampler reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  format?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
}

interface Operation {
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** One operation of the document. */
export interface Route {
  method: Method;
  path: string;
  operation: Operation;
  /** The kind of record each path parameter names. */
  params: Record<string, RecordKind>;
  /** Body fields that name records, with their kind. */
  bodyIds: Record<string, RecordKind>;
  /** Where its requests land: a customer's console API, the session's reader, the user's own tokens, LTI, or nothing addressable. */
  scope: 'customer' | 'reader' | 'self' | 'lti' | 'public';
}

/** Ids to put into a request, by kind of record. */
export type Ids = Record<RecordKind, string>;

const KINDS: Record<string, RecordKind> = {
  customer: 'customer',
  user: 'user',
  class: 'class',
  run: 'run',
  book: 'book',
  content: 'book',
  title: 'book',
  collection: 'collection',
  token: 'token',
  outcome: 'outcome',
  call: 'outcome',
  org: 'org',
  school: 'org',
  erasure: 'erasure',
};

// "customers" → customer, "classes" → class, "userIds" → user.
function kindOf(word: string): RecordKind | undefined {
  const w = word.replace(/Ids?$/, '').toLowerCase();
  return KINDS[w] ?? KINDS[w.replace(/es$/, '')] ?? KINDS[w.replace(/s$/, '')];
}

/** Reads every operation of the document and what its ids name; throws on an id the walk cannot fill. */
export function routesOf(doc: { paths: Record<string, Record<string, Operation>> }): Route[] {
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(ops)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const segments = path.split('/');
      const params: Record<string, RecordKind> = {};
      for (const p of operation.parameters ?? []) {
        if (p.in !== 'path') continue;
        // `{id}` names the resource before it (/customers/{id}, /books/{id}); `{userId}` says its kind.
        const word = p.name === 'id' ? (segments[segments.indexOf('{id}') - 1] ?? '') : p.name;
        const kind = kindOf(word);
        if (!kind) throw new Error(`${method.toUpperCase()} ${path}: the wall test cannot fill path parameter {${p.name}}; teach test/walls/routes.ts its kind of record`);
        params[p.name] = kind;
      }
      const bodyIds: Record<string, RecordKind> = {};
      for (const [name] of Object.entries(jsonBody(operation)?.properties ?? {})) {
        if (!/Ids?$/.test(name)) continue;
        const kind = kindOf(name);
        if (!kind) throw new Error(`${method.toUpperCase()} ${path}: the wall test cannot fill body field ${name}; teach test/walls/routes.ts its kind of record`);
        bodyIds[name] = kind;
      }
      const scope = path.startsWith('/lti/')
        ? 'lti'
        : path.startsWith('/api/reader/') && Object.keys(params).length
          ? 'reader'
          : Object.values(params).includes('customer')
            ? 'customer'
            : Object.keys(params).length || Object.keys(bodyIds).length
              ? 'self'
              : 'public';
      if (scope === 'self' && !path.startsWith('/api/auth/')) throw new Error(`${method.toUpperCase()} ${path} names records outside a customer path: say in test/walls/routes.ts whose they are`);
      routes.push({ method: method.toUpperCase() as Method, path, operation, params, bodyIds, scope });
    }
  }
  return routes;
}

function jsonBody(operation: Operation): JsonSchema | undefined {
  return operation.requestBody?.content?.['application/json']?.schema;
}

/** Whether the route's body is a multipart upload. */
export function isMultipart(route: Route): boolean {
  return Boolean(route.operation.requestBody?.content?.['multipart/form-data']);
}

let samples = 0;

/** A value that satisfies `schema`: required properties (or the first one), first enum member, minimum numbers. */
export function sample(schema: JsonSchema | undefined): unknown {
  if (!schema) return {};
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return sample(alternatives.find((s) => s.type !== 'null') ?? alternatives[0]);
  if (schema.allOf?.length) return Object.assign({}, ...schema.allOf.map((s) => sample(s) as object));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const props = schema.properties ?? {};
      const keys = schema.required?.length ? schema.required : Object.keys(props).slice(0, 1);
      return Object.fromEntries(keys.map((k) => [k, sample(props[k])]));
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items));
    case 'string':
      if (schema.format === 'email') return 'someone@walls.example';
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (schema.format === 'uri') return 'https://walls.example/';
      // Unique, so a name created by one request does not clash with the next one's.
      return `walls${(samples += 1)}`.padEnd(schema.minLength ?? 1, 's');
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

/** A concrete request. */
export interface Request {
  method: Method;
  url: string;
  body?: unknown;
  headers: Record<string, string>;
}

/**
 * The request for `route` with path ids from `pathIds` and body ids from `bodyIds` (the two differ
 * when the path is the actor's own and the body carries another customer's ids). Multipart routes
 * get `upload` as their file.
 */
export function requestFor(route: Route, pathIds: Ids, bodyIds: Ids, upload: { body: Buffer; headers: Record<string, string> }): Request {
  const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(pathIds[route.params[name]!]));
  const query = (route.operation.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(sample(p.schema)))}`);
  const full = query.length ? `${url}?${query.join('&')}` : url;
  if (isMultipart(route)) return { method: route.method, url: full, body: upload.body, headers: upload.headers };
  const schema = jsonBody(route.operation);
  if (!schema) return { method: route.method, url: full, headers: {} };
  const body = sample(schema) as Record<string, unknown>;
  for (const [name, kind] of Object.entries(route.bodyIds)) {
    const many = schema.properties?.[name]?.type === 'array';
    body[name] = many ? [bodyIds[kind]] : bodyIds[kind];
  }
  return { method: route.method, url: full, body, headers: {} };
}
