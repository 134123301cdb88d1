import { AppError, errorCatalog, type ErrorCode, type FieldIssue } from '../errors.js';

/** An error as it crosses the thread boundary: an AppError keeps its code, fields and headers. */
export interface ThreadError {
  message: string;
  stack?: string;
  code?: string;
  fields?: FieldIssue[];
  headers?: Record<string, string>;
}

/** Turns an error into what crosses the boundary. */
export function toThreadError(err: unknown): ThreadError {
  if (err instanceof AppError) return { message: err.message, stack: err.stack, code: err.code, fields: err.fields, headers: err.headers };
  return err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
}

/** The error a task failed with, as the caller would have seen it had the work run here. */
export function fromThreadError(e: ThreadError): Error {
  const err = e.code && e.code in errorCatalog ? new AppError(e.code as ErrorCode, e.message, { fields: e.fields, headers: e.headers }) : new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
