/*
 * The roster thread (see run-thread.ts): its own context and database connection, running the
 * tasks the main thread hands it and answering each with its result or its error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../config.js';
import { createContext, type AppContext } from '../../context.js';
import { toThreadError } from '../../threads/thread-error.js';
import type { FromThread, ThreadTask, ToThread } from './run-thread.js';

const port = parentPort!;
const { config } = workerData as { config: Config };
const context = createContext(config, { inThread: true });
// A failed start fails each task with its reason (the main thread sees it), not the thread.
context.catch(() => undefined);
const aborts = new Map<number, AbortController>();

async function perform(ctx: AppContext, task: ThreadTask, signal: AbortSignal): Promise<unknown> {
  if (task.kind === 'failInterrupted') return ctx.runs.failInterrupted();
  if (task.kind !== 'job') return task.kind === 'approve' ? ctx.runs.approve(task.actor, task.customerId, task.runId) : ctx.runs.discard(task.actor, task.customerId, task.runId);
  const handler = ctx.jobs.handlerOf(task.name);
  if (!handler) throw new Error(`No handler for job "${task.name}"`);
  await handler(task.payload, { attempt: task.attempt, maxAttempts: task.maxAttempts, signal });
  return undefined;
}

async function run(id: number, task: ThreadTask): Promise<void> {
  const abort = new AbortController();
  aborts.set(id, abort);
  let reply: FromThread;
  try {
    reply = { type: 'done', id, value: await perform(await context, task, abort.signal) };
  } catch (err) {
    reply = { type: 'failed', id, error: toThreadError(err) };
  } finally {
    aborts.delete(id);
  }
  port.postMessage(reply);
}

port.on('message', (msg: ToThread) => {
  if (msg.type === 'task') void run(msg.id, msg.task);
  else if (msg.type === 'abort') aborts.get(msg.id)?.abort();
  else {
    // Closing the port lets the thread exit once the context's connections are closed.
    void context
      .then((ctx) => ctx.close())
      .catch(() => undefined)
      .finally(() => port.close());
  }
});
