import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';
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
 * UNSUPPORTED_MEDIA_TYPE for a request that is not multipart and `missing()` when no file came.
 */
export async function receiveUpload<T>(request: FastifyRequest, store: (file: Readable, fileName: string) => Promise<T>, missing: () => AppError): Promise<ReceivedUpload<T>> {
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data with a field named file.');
  const fields: Record<string, string> = {};
  let received: { stored: T; fileName: string } | null = null;
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      if (typeof part.value === 'string') fields[part.fieldname] = part.value;
      continue;
    }
    if (part.fieldname !== 'file' || received) {
      part.file.resume();
      continue;
    }
    received = { fileName: part.filename, stored: await store(part.file, part.filename) };
  }
  if (!received) throw missing();
  return { ...received, fields };
}
