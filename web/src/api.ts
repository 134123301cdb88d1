/*
 * The console's one way to talk to the API: JSON in and out, the CSRF header on every write, and
 * API errors turned into ApiError (with field-level issues) so forms can show them inline.
 */

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

/** Sends one request and returns the parsed JSON body (undefined for 204). */
export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Lectern could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  const data: unknown = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  if (res.ok) return data as T;
  const err = (data as { error?: { code?: string; message?: string; fields?: FieldIssue[] } } | undefined)?.error;
  const failure = new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? `The server answered ${res.status}.`, err?.fields ?? []);
  if (res.status === 401 && !EXPECTS_401.has(path.split('?')[0] ?? '')) sessionExpired();
  throw failure;
}

/** The API as the pages use it. */
export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: (path: string) => request<void>('DELETE', path),
};

/** A message fit for a banner, whatever was thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : 'Something went wrong.';
}
