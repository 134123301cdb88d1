import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

// Only the test runner loads the sources (through tsx); a worker does not inherit that loader.
const TSX_BOOT = new URL('./tsx-boot.mjs', import.meta.url);

/**
 * The module `name` (without extension) beside the module at `from`: `x.js` when the caller runs
 * compiled from `dist/`, `x.ts` when it runs from the sources under the test runner.
 */
export function siblingModule(from: string, name: string): URL {
  return new URL(`./${name}${path.extname(fileURLToPath(from))}`, from);
}

/**
 * The resource limits of a thread that works through a whole roster (the roster thread of `serve`,
 * the import thread of `roster import`). V8 grows a thread's young generation to 128 MB over a long
 * run that allocates a row's objects at a time, and keeps it; a process cannot lower that once
 * started (the flag is read when the heap is made), a worker thread takes it as a limit: 32 MB. Measured on the million-user bundle (SQLite, `bench:cli`).
 */
export const ROSTER_THREAD_LIMITS = { maxYoungGenerationSizeMb: 32 } as const;

/**
 * Starts a worker thread on `entry`. Compiled, the worker loads it directly; from the sources, through
 * the tsx boot module with the entry in `workerData.entry` (the rest of `workerData` is passed on).
 * No inherited execArgv: the parent's flags (`--test`, `--import`…) are not the worker's.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { execArgv: [], ...options });
  const workerData = { ...(options.workerData as Record<string, unknown> | undefined), entry: entry.href };
  return new Worker(TSX_BOOT, { execArgv: [], ...options, workerData });
}
