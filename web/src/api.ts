/*
 * The console's one way to talk to the API: JSON in and out, the CSRF header on every write, and
 * API errors turned into ApiError (with field-level issues) so forms can show them inline.
 */
import i18next from 'i18next';
import createClient from 'openapi-fetch';
import type { paths } from './api-schema.js';
import { errorText } from './i18n/index.js';

/** One problem with one input, addressed by its dotted path such as `rostering.sftp.host`. */
export interface FieldIssue {
  field: string;
  message: string;
  code?: string;
}

/** An error answer from the API, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// The CSRF token lives in memory only: it comes with sign-in and with GET /api/auth/session.
let csrfToken: string | null = null;
let sessionExpired: () => void = () => undefined;

/** Remembers the CSRF token that every write must echo in X-CSRF-Token. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The CSRF token of the current session, for a write sent outside this module (fetch keepalive). */
export function currentCsrfToken(): string | null {
  return csrfToken;
}

/** Registers what happens when the session ends under the user (401 on an ordinary request). */
export function onSessionExpired(handler: () => void): void {
  sessionExpired = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** `path` with the non-empty entries of `query` appended. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '' && value !== false) params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

// Sign-in and the session probe answer 401 as a normal outcome, not as "your session expired".
const EXPECTS_401 = new Set(['/api/auth/login', '/api/auth/session']);

let writeListeners: (() => void)[] = [];

/** Registers `listener` to hear of every successful write (the query cache marks itself stale). */
export function onWrite(listener: () => void): () => void {
  writeListeners.push(listener);
  return () => {
    writeListeners = writeListeners.filter((l) => l !== listener);
  };
}

// What every answer means beyond its body: a successful write may have changed what views show,
// and a 401 on an ordinary request means the session ended under the user.
function answered(method: string, path: string, status: number): void {
  if (status >= 200 && status < 300 && method !== 'GET') writeListeners.forEach((l) => l());
  if (status === 401 && !EXPECTS_401.has(path.split('?')[0] ?? '')) sessionExpired();
}

/**
 * The typed API client (openapi-fetch over the types `npm run api:types` generates from
 * /api/openapi.json): paths, parameters and bodies are checked against the server's own schemas.
 * It sends the CSRF header on writes; `unwrap` turns its answers into data or an ApiError.
 */
export const client = createClient<paths>({ credentials: 'same-origin', headers: { accept: 'application/json' } });
client.use({
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
  },
  onResponse({ request, response }) {
    answered(request.method, new URL(request.url).pathname, response.status);
  },
});

/** The data of a `client` call, or its failure (an error answer, or no answer at all) as ApiError. */
export async function unwrap<D>(call: Promise<Answer<D>>): Promise<D> {
  return (await settle(call)).data as D;
}

type Answer<D> = { data?: D; error?: unknown; response: Response };

// A successful answer, or the failure as ApiError.
async function settle<D>(call: Promise<Answer<D>>): Promise<Answer<D>> {
  let answer: Answer<D>;
  try {
    answer = await call;
  } catch {
    throw new ApiError(0, 'NETWORK', i18next.t('errors:NETWORK'));
  }
  if (!answer.response.ok) throw failureOf(answer.response.status, answer.error);
  return answer;
}

// The same client for paths built at run time (`/api/customers/${id}/users`), which the typed
// methods cannot check. Answers are read as text so a body that is not JSON reads as undefined.
const untyped = client as unknown as {
  request(method: string, url: string, init: { body?: unknown; parseAs: 'text' }): Promise<Answer<string>>;
  request(method: string, url: string, init: { body?: unknown; parseAs: 'blob' }): Promise<Answer<Blob>>;
};

/** Sends one request and returns the parsed JSON body (undefined for 204). */
export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const { data, response } = await settle(untyped.request(method, path, { body, parseAs: 'text' }));
  return parseBody(data ?? '', response.headers.get('content-type')) as T;
}

function parseBody(text: string, contentType: string | null): unknown {
  if (!text || !(contentType ?? '').includes('json')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// An error answer as ApiError, with the API's code, message and field issues when it sent them.
/** The ApiError for an error answer: its status and the body the server sent (its code, message and fields), if any. */
export function failureOf(status: number, data: unknown): ApiError {
  const err = (data as { error?: { code?: string; message?: string; fields?: FieldIssue[] } } | undefined)?.error;
  return new ApiError(status, err?.code ?? `HTTP_${status}`, err?.message ?? i18next.t('errors:HTTP_STATUS', { status }), err?.fields ?? []);
}

/**
 * Posts JSON and saves the file the answer carries (a PDF, say) under `fileName`, through a
 * temporary link: a write cannot be a plain <a download>, which sends no body and no CSRF header.
 * Returns the response headers for what the server says about the file.
 */
export async function download(path: string, body: unknown, fileName: string): Promise<Headers> {
  const { data, response } = await settle(untyped.request('POST', path, { body, parseAs: 'blob' }));
  saveFile(data ?? new Blob(), fileName);
  return response.headers;
}

/** Saves `blob` as a file named `fileName`, through a temporary link. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next task, once the browser has started saving it.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Bytes sent so far of an upload, and how many there are in all. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/** An upload in flight: its answer, and a way to stop it. */
export interface Upload<T> {
  done: Promise<T>;
  abort(): void;
}

/**
 * Posts multipart form data with upload progress. fetch cannot report how much of a request body
 * has been sent, so this one request goes through XMLHttpRequest (with the same CSRF header and
 * error handling as every other).
 */
export function upload<T>(path: string, body: FormData, onProgress: (p: UploadProgress) => void): Upload<T> {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
    xhr.onload = () => {
      const data = parseBody(xhr.responseText, xhr.getResponseHeader('content-type'));
      answered('POST', path, xhr.status);
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as T);
      else reject(failureOf(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', i18next.t('errors:UPLOAD_INTERRUPTED')));
    xhr.onabort = () => reject(new ApiError(0, 'ABORTED', i18next.t('errors:ABORTED')));
    xhr.send(body);
  });
  return { done, abort: () => xhr.abort() };
}

/** The API as the pages use it. */
export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: (path: string) => request<void>('DELETE', path),
};

/** A message fit for a banner, whatever was thrown, in the page's language when the catalogue knows its code. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return errorText(err.code) ?? err.message;
  return err instanceof Error ? err.message : i18next.t('errors:UNKNOWN');
}
