import type { FastifyRequest } from 'fastify';

/**
 * The server's logger settings, one place for `lectern serve` and the tests that read its log. Log
 * ids, not people: a request is logged by method and path, its query string with the names kept and
 * the values hidden (a search for a child's name, a sign-in's `next`, a token), and credentials and
 * secrets are redacted wherever an object carries them.
 */
export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.secretKey', '*.sharedSecret'], censor: '[redacted]' },
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, url: maskedUrl(req.url), remoteAddress: req.ip }),
      err: loggedError,
    },
  };
}

/** A request URL for the log: the path, and the query's names with every value but a small number hidden. */
export function maskedUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const shown = [...params].map(([name, value]) => `${encodeURIComponent(name)}=${/^\d{1,6}$/.test(value) ? value : '…'}`);
  return `${url.slice(0, q)}?${shown.join('&')}`;
}

// A database names the values it refused: PostgreSQL in `detail` ("Key (login)=(jdoe@lincoln) already
// exists.") and in messages ('invalid input syntax for type uuid: "Ana"'), SQLite in some messages.
const QUOTED = /"[^"]*"|'[^']*'|\([^()]*\)=\([^()]*\)/g;

/** An error as the log shows it: its kind, code, where it was raised and its message with quoted values hidden; never a database's detail or the statement's parameters. */
export function loggedError(err: unknown): { type: string; message: string; stack: string; [key: string]: unknown } {
  if (!(err instanceof Error)) return { type: typeof err, message: '[not an Error]', stack: '' };
  const e = err as Error & { code?: unknown; constraint?: unknown; table?: unknown; column?: unknown; routine?: unknown; cause?: unknown };
  const message = e.message.replace(QUOTED, '…');
  const frames = (e.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const out: { type: string; message: string; stack: string; [key: string]: unknown } = { type: e.name, message, stack: [`${e.name}: ${message}`, ...frames].join('\n') };
  // Names of schema objects, not values: what an operator needs to find the statement.
  for (const key of ['code', 'constraint', 'table', 'column', 'routine'] as const) if (typeof e[key] === 'string' || typeof e[key] === 'number') out[key] = e[key];
  if (e.cause !== undefined) out.cause = loggedError(e.cause);
  return out;
}
