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
