import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { AppError, validationError } from '../errors.js';
import { controlCharacterIssues } from '../validation.js';
import type { App } from './types.js';

/** Lets the routes of one plugin scope take one streamed file of at most `maxFileBytes` (plus a few small fields). */
export async function registerUploads(app: App, maxFileBytes: number): Promise<void> {
  await app.register(multipart, { limits: { fileSize: maxFileBytes, files: 1, fields: 5 } });
}

/** What an upload brought: the stored result of its file, the file's name as sent, and its text fields. */
export interface ReceivedUpload<T> {
  stored: T;
  fileName: string;
  fields: Record<string, string>;
}

/**
 * Reads a multipart request: the first part named `file` is handed to `store` as a stream (memory
 * holds a chunk, never the file), other file parts are drained, text fields are collected. Throws
 * UNSUPPORTED_MEDIA_TYPE for a request that is not multipart, `missing()` when no file came, and
 * BAD_REQUEST when the body ends before its closing boundary or the connection drops mid-file
 * (`store` is expected to remove what it wrote when its stream fails).
 */
export async function receiveUpload<T>(request: FastifyRequest, store: (file: Readable, fileName: string) => Promise<T>, missing: () => AppError): Promise<ReceivedUpload<T>> {
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data with a field named file.');
  const fields: Record<string, string> = {};
  let received: { stored: T; fileName: string } | null = null;
  // While `store` runs: what the file stream itself failed with (a cut body), as opposed to what `store` failed with.
  let storing: { streamError: unknown } | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== 'file' || received) {
        part.file.resume();
        continue;
      }
      // The name is stored with the run or title: one with a control character (NUL) is refused before anything is written.
      const badName = controlCharacterIssues(part.filename, 'file', 'line');
      if (badName.length) throw validationError(badName, 'The file name holds control characters (such as NUL): rename the file and send it again.');
      const state: { streamError: unknown } = { streamError: null };
      part.file.once('error', (err) => (state.streamError = err));
      storing = state;
      received = { fileName: part.filename, stored: await store(part.file, part.filename) };
      storing = null;
    }
  } catch (err) {
    const fromBody = storing ? err === storing.streamError : true;
    throw fromBody && isBodyError(err) ? cutShort() : err;
  }
  if (!received) throw missing();
  return { ...received, fields };
}

function cutShort(): AppError {
  return new AppError('BAD_REQUEST', 'The upload ended before the whole file arrived (the connection closed or the form was cut short). Send the file again.');
}

/*
 * Whether an error is the request body's: the multipart parser's (busboy: "Unexpected end of form"),
 * @fastify/multipart's premature close, an aborted request. Not ours to map: AppErrors (the store's
 * refusals), the multipart limits (413, already client errors), and the disk's errors, which carry
 * a syscall (a full disk stays a 500, logged, when pipeline hands it back through the source stream).
 */
function isBodyError(err: unknown): boolean {
  if (err instanceof AppError) return false;
  const e = err as { syscall?: string; statusCode?: number };
  return !e.syscall && e.statusCode !== 413;
}
