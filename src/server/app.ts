import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { compile, queryAjv } from '../validation.js';
import { registerAuth } from './plugins/auth.js';
import { registerControlCharacterCheck } from './plugins/control-characters.js';
import { registerErrorHandling } from './plugins/errors.js';
import { isReaderPage, registerSecurityHeaders } from './plugins/security-headers.js';
import { auditRoutes } from './routes/audit/index.js';
import { authRoutes } from './routes/auth/index.js';
import { contentRoutes } from './routes/content/index.js';
import { customerRoutes } from './routes/customers/index.js';
import { directoryRoutes } from './routes/directory/index.js';
import { erasureRoutes } from './routes/erasure/index.js';
import { exportRoutes } from './routes/export/index.js';
import { peopleRoutes } from './routes/people/index.js';
import { loginCardRoutes } from './routes/login-cards/index.js';
import { ltiRoutes } from './routes/lti/index.js';
import { lti13Routes } from './routes/lti13/index.js';
import { metaRoutes } from './routes/meta/index.js';
import { notificationRoutes } from './routes/notifications/index.js';
import { readerRoutes } from './routes/reader/index.js';
import { rosterRoutes } from './routes/roster/index.js';
import { statusRoutes } from './routes/status/index.js';
import type { App } from './types.js';

/**
 * One access-log line per request, when it is answered, instead of Fastify's two: each line goes
 * through the redaction of logging.ts, and the answer's says all the arrival's did and more (status,
 * time). The arrival is logged at debug only, for tracing a request that never ends. Fastify's other
 * request lines stay off (disableRequestLogging): its "Route … not found" would log a query's values.
 */
class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Builds the web app (API, OpenAPI docs, console) without listening, so tests can `inject`. */
export async function buildApp(ctx: AppContext, opts: { logger?: FastifyServerOptions['logger'] } = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: process.env.LECTERN_TRUST_PROXY === 'true',
    bodyLimit: 1024 * 1024,
    logController: new AccessLog({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(({ schema, httpPart }) => {
    // Multipart bodies are streamed by the handler; their schema only documents the form for OpenAPI.
    if ((schema as { 'x-multipart'?: boolean })['x-multipart']) return () => true;
    return httpPart === 'body' ? compile(schema as never) : queryAjv.compile(schema);
  });
  registerErrorHandling(app);
  registerControlCharacterCheck(app);
  registerSecurityHeaders(app);
  await app.register(cookie);
  registerAuth(app, ctx);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Lectern API', version: '0.1.0', description: 'Customers, rostering and the reader. Sign in with POST /api/auth/login or send `Authorization: Bearer <token>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'lectern_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (scoped) => authRoutes(scoped, ctx));
  await app.register(async (scoped) => customerRoutes(scoped, ctx));
  await app.register(async (scoped) => directoryRoutes(scoped, ctx));
  await app.register(async (scoped) => peopleRoutes(scoped, ctx));
  await app.register(async (scoped) => loginCardRoutes(scoped, ctx));
  await app.register(async (scoped) => metaRoutes(scoped, ctx));
  await app.register(async (scoped) => rosterRoutes(scoped, ctx));
  await app.register(async (scoped) => ltiRoutes(scoped, ctx));
  await app.register(async (scoped) => lti13Routes(scoped, ctx));
  await app.register(async (scoped) => contentRoutes(scoped, ctx));
  await app.register(async (scoped) => readerRoutes(scoped, ctx));
  await app.register(async (scoped) => notificationRoutes(scoped, ctx));
  await app.register(async (scoped) => statusRoutes(scoped, ctx));
  await app.register(async (scoped) => auditRoutes(scoped, ctx));
  await app.register(async (scoped) => erasureRoutes(scoped, ctx));
  await app.register(async (scoped) => exportRoutes(scoped, ctx));
  await registerConsole(app);
  return app;
}

// The React console: static assets, and index.html for every other non-API path (client routes).
async function registerConsole(app: App): Promise<void> {
  const hasBuild = fs.existsSync(path.join(webRoot, 'index.html'));
  if (hasBuild) await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: false });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (url.startsWith('/api/') || url.startsWith('/lti/')) throw new AppError('NOT_FOUND', `No route ${request.method} ${url}.`);
    if (!hasBuild) {
      return reply.type('text/plain').status(503).send('The console is not built. Run `npm run build` (npm start does this), then restart.');
    }
    // The reader is its own page (web/reader.html), so the console never loads pdf.js or epub.js.
    if (isReaderPage(url)) {
      return reply.header('cache-control', 'no-cache').sendFile('reader.html');
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
