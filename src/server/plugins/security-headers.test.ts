import assert from 'node:assert/strict';
import { it } from 'node:test';
import Fastify from 'fastify';
import { registerSecurityHeaders } from './security-headers.js';

async function app() {
  const server = Fastify();
  registerSecurityHeaders(server);
  server.get('/api/meta', async () => ({ ok: true }));
  server.get('/reader/*', async () => 'reader');
  return server;
}

it('every answer carries helmet’s headers, unknown routes included, with the console’s CSP', async () => {
  const server = await app();
  for (const url of ['/api/meta', '/no/such/route', '/readers']) {
    const res = await server.inject({ url });
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/, url);
    assert.match(csp, /frame-ancestors 'self'/, url);
    assert.doesNotMatch(csp, /blob:/, `${url}: only the reader's page admits blob: URLs`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', url);
  }
});

it('the reader’s page admits the blob: URLs epub.js hands it, and still no foreign scripts', async () => {
  const server = await app();
  for (const url of ['/reader/book-1', '/reader/book-1?page=3']) {
    const res = await server.inject({ url });
    assert.equal(res.statusCode, 200);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /style-src 'self' 'unsafe-inline' blob:/, url);
    assert.match(csp, /img-src 'self' data: blob:/, url);
    assert.match(csp, /font-src 'self' data: blob:/, url);
    assert.match(csp, /script-src 'self'(;|$)/, url);
  }
});
