import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError, type FieldIssue } from '../../errors.js';
import { controlCharacterIssues } from '../../validation.js';

/**
 * Refuses NUL and the other C0 control characters in every route's input with 400 VALIDATION_FAILED
 * naming the field: path parameters, query, body (JSON, or a form post's fields) and headers. One
 * hook on the root instance, so a route added later (with or without a schema) is covered too;
 * it runs after authentication, so a protected route still answers 401 first.
 */
export function registerControlCharacterCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const issues = inputIssues(request);
    // The message names the fields too: the LTI routes answer with a page that shows only the message.
    if (issues.length) throw validationError(issues, `Control characters (such as NUL) are not accepted in: ${issues.map((i) => i.field).join(', ')}.`);
  });
}

function inputIssues(request: FastifyRequest): FieldIssue[] {
  return [
    ...controlCharacterIssues(request.params, 'params', 'url'),
    ...controlCharacterIssues(request.query, 'query', 'url'),
    ...controlCharacterIssues(bodyFields(request), '', 'text'),
    // Node's HTTP parser already refuses most of these; inject() and proxies do not.
    ...controlCharacterIssues(request.headers, 'headers', 'line'),
  ];
}

// A form post kept raw (the LTI launch signs its exact pairs) is checked field by field.
function bodyFields(request: FastifyRequest): unknown {
  const body = request.body;
  if (typeof body === 'string' && String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    const fields: Record<string, string[]> = {};
    for (const [name, value] of new URLSearchParams(body)) (fields[name] ??= []).push(value);
    // One value is addressed by its name alone, as the form's field.
    return Object.fromEntries(Object.entries(fields).map(([name, values]) => [name, values.length === 1 ? values[0] : values]));
  }
  return body;
}
