/*
 * `lectern roster import` executes the run of a big bundle on a thread of its own, for one reason:
 * memory. The thread's young generation is capped (ROSTER_THREAD_LIMITS says why). Measured on the
 * million-user bundle, SQLite: 526 MB on the main thread, 365 MB with the thread and the reader's
 * spilled and released id indexes (integrity.ts). A smaller bundle runs here: the thread's start
 * (loading the database modules again, about 0.3 s) would be most of a re-import of a known file,
 * and V8 only grows the young generation over a long run. The main thread keeps the terminal: it
 * draws the progress the thread posts and prints the report.
 */
import type { Config } from '../../config.js';
import { ROSTER_THREAD_LIMITS, siblingModule, startWorker } from '../../threads/start-worker.js';
import { fromThreadError, type ThreadError } from '../../threads/thread-error.js';
import type { BundleStore } from '../../rostering/runs/bundle-store.js';
import type { RosterRunService } from '../../rostering/runs/run-service.js';
import type { RunSource } from '../../rostering/runs/run-source.js';
import type { RunView } from '../../rostering/runs/run-view.js';
import { storedBundleSource } from '../../rostering/runs/zip-source.js';

/** What the import thread is given. */
export interface ImportTask {
  config: Config;
  runId: string;
  customerId: string;
  bundlePath: string;
  force: boolean;
}

/** Messages from the import thread. */
export type FromImportThread = { type: 'progress'; done: number; total: number } | { type: 'done'; run: RunView } | { type: 'failed'; error: ThreadError };

/** Bundles from this size (the zip's bytes) are imported on the thread: the district's 6.7 MB is not, the million users' 82 MB is. */
export const IMPORT_THREAD_MIN_BYTES = 16 * 1024 * 1024;

/** Executes a recorded run of a stored bundle in this thread, telling `onProgress` of its reading: the import thread's work, and a small bundle's in the process. */
export function executeStoredRun(runs: RosterRunService, bundles: BundleStore, task: Omit<ImportTask, 'config'>, onProgress: (done: number, total: number) => void): Promise<RunView> {
  const source = storedBundleSource(bundles, task.bundlePath);
  const read: RunSource['read'] = (h) => source.read({ ...h, onProgress: (done, total) => (h.onProgress(done, total), onProgress(done, total)) });
  return runs.execute(task.runId, task.customerId, { read }, { force: task.force });
}

const ENTRY = siblingModule(import.meta.url, 'import-worker');

/**
 * Executes a recorded run of a stored bundle on the import thread; `onProgress` gets its reading
 * progress. Settles once the thread has exited, so its heap is gone before the report is made.
 */
export function executeOnThread(task: ImportTask, onProgress: (done: number, total: number) => void): Promise<RunView> {
  const worker = startWorker(ENTRY, { workerData: task, resourceLimits: ROSTER_THREAD_LIMITS });
  return new Promise((resolve, reject) => {
    let outcome: { run: RunView } | { error: Error } | null = null;
    worker.on('message', (msg: FromImportThread) => {
      if (msg.type === 'progress') onProgress(msg.done, msg.total);
      else outcome = msg.type === 'done' ? { run: msg.run } : { error: fromThreadError(msg.error) };
    });
    worker.once('error', (err) => (outcome ??= { error: err }));
    worker.once('exit', (code) => {
      const ended = outcome ?? { error: new Error(`The import thread stopped (exit code ${code}) before its run ended.`) };
      if ('run' in ended) resolve(ended.run);
      else reject(ended.error);
    });
  });
}
