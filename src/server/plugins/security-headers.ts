import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

const cspDirectives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  frameAncestors: ["'self'"],
};
// The reader's pages only: epub.js unzips a book in the browser and hands its images, stylesheets
// and fonts to the page (a srcdoc iframe, which inherits this policy) as blob: URLs. Scripts stay
// 'self' (the pdf.js worker is a file of the build), and book content never runs scripts.
const readerCspDirectives = {
  ...cspDirectives,
  styleSrc: [...cspDirectives.styleSrc, 'blob:'],
  imgSrc: [...cspDirectives.imgSrc, 'blob:'],
  fontSrc: ["'self'", 'data:', 'blob:'],
};

/** True for the reader's own page (`/reader`, `/reader/...`), which gets the reader's policy. */
export function isReaderPage(url: string): boolean {
  const pathname = url.split('?')[0] ?? '/';
  return pathname === '/reader' || pathname.startsWith('/reader/');
}

/**
 * Helmet's security headers on every response, the reader's page with its wider CSP. Both helmet
 * middlewares are built once here: @fastify/helmet built one per request, re-parsing the CSP
 * directives each time, a measured 4% of the server's CPU on an LTI launch.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const consoleHeaders = helmet({ contentSecurityPolicy: { directives: cspDirectives } });
  const readerHeaders = helmet({ contentSecurityPolicy: { directives: readerCspDirectives } });
  app.addHook('onRequest', (request, reply, done) => {
    const headers = isReaderPage(request.url) ? readerHeaders : consoleHeaders;
    headers(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
}
