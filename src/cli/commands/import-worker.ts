/*
 * The import thread (see import-thread.ts): opens its own connection, executes the run it was given
 * and posts its progress, then its result or its error, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCoreContext } from '../../core-context.js';
import { toThreadError } from '../../threads/thread-error.js';
import { storedBundleSource } from '../../rostering/runs/zip-source.js';
import type { FromImportThread, ImportTask } from './import-thread.js';

const port = parentPort!;
const task = workerData as ImportTask;
const post = (msg: FromImportThread) => port.postMessage(msg);

try {
  // The main thread migrated the database and recorded the run.
  const ctx = await openCoreContext(task.config, { patientLocks: false, migrate: false });
  try {
    const source = storedBundleSource(ctx.bundles, task.bundlePath);
    const run = await ctx.runs.execute(
      task.runId,
      task.customerId,
      { read: (h) => source.read({ ...h, onProgress: (done, total) => (h.onProgress(done, total), post({ type: 'progress', done, total })) }) },
      { force: task.force },
    );
    post({ type: 'done', run });
  } finally {
    await ctx.close();
  }
} catch (err) {
  post({ type: 'failed', error: toThreadError(err) });
}
