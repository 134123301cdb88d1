/*
 * The worker thread side of BookInspectionPool: inspects one file per request with inspectBook and
 * answers with its facts, its refusal (an AppError's code, message and fields) or, for anything
 * else, a failure message. It says `ready` once loaded, so the pool's clock starts with real work.
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { inspectBook } from './book-inspector.js';
import type { InspectReply, InspectRequest } from './inspection-pool.js';

const port = parentPort;
if (!port) throw new Error('inspection-worker.ts runs only as a worker thread (see BookInspectionPool).');

port.on('message', async ({ id, file }: InspectRequest) => {
  let reply: InspectReply;
  try {
    reply = { id, facts: await inspectBook(file) };
  } catch (err) {
    reply = err instanceof AppError ? { id, refusal: { code: err.code, message: err.message, fields: err.fields } } : { id, failure: (err as Error).message };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies InspectReply);
