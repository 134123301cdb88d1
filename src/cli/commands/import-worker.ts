/*
 * The import thread (see import-thread.ts): opens its own connection, executes the run it was given
 * and posts its progress, then its result or its error, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCoreContext } from '../../core-context.js';
import { toThreadError } from '../../threads/thread-error.js';
import { executeStoredRun, type FromImportThread, type ImportTask } from './import-thread.js';

const port = parentPort!;
const task = workerData as ImportTask;
const post = (msg: FromImportThread) => port.postMessage(msg);

try {
  // The main thread migrated the database and recorded the run.
  const ctx = await openCoreContext(task.config, { patientLocks: false, migrate: false });
  try {
    const run = await executeStoredRun(ctx.runs, ctx.bundles, task, (done, total) => post({ type: 'progress', done, total }));
    post({ type: 'done', run });
  } finally {
    await ctx.close();
  }
} catch (err) {
  post({ type: 'failed', error: toThreadError(err) });
}
