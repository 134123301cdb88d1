import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { describeErrors } from '../../validation.js';

/**
 * Turns every failure into `{error: {code, message, fields?}}` with the right status. Clients never
 * see a stack trace; unexpected errors are logged with the request id and answered as INTERNAL.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const appError = toAppError(err);
    if (appError.code === 'INTERNAL') request.log.error({ err }, 'unhandled error');
    reply.headers(appError.headers).status(appError.status).send(appError.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`).toJSON());
  });
}

function toAppError(err: FastifyError | AppError): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError;
  if (fe.validation) {
    const root = fe.validationContext === 'body' ? '' : fe.validationContext === 'querystring' ? 'query' : (fe.validationContext ?? '');
    return new AppError('VALIDATION_FAILED', undefined, { fields: describeErrors(fe.validation as never, root) });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BAD_REQUEST', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE');
  }
  if (fe.statusCode === 429) return new AppError('RATE_LIMITED');
  // Fastify's own request errors (FST_*) describe the request; any other error's words (a database's,
  // a file system's) may name tables, values or paths, so only the code's message is shown.
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new AppError('BAD_REQUEST', fe.code?.startsWith('FST_') ? fe.message : undefined);
  return new AppError('INTERNAL');
}
