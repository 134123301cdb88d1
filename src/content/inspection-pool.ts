/*
 * Book inspection off the event loop. Reading an EPUB's XML or a PDF's cross-reference table is CPU
 * work that one hostile file can stretch; on the main thread it would stall every request of every
 * tenant. A few worker threads, started on first use and kept for the next uploads, each inspect
 * one file at a time; a file that takes longer than the time limit, or more memory than the cap,
 * ends its worker and is refused as FILE_CORRUPT. Files wait in line when every worker is busy.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startWorker } from '../threads/start-worker.js';
import { AppError, type ErrorCode, type FieldIssue } from '../errors.js';
import type { BookFacts } from './book-inspector.js';

/** One file to inspect, as posted to a worker. */
export interface InspectRequest {
  id: number;
  file: string;
}

/** What a worker posts back: ready once loaded, then per request its facts, its refusal, or a failure. */
export type InspectReply = { ready: true } | { id: number; facts: BookFacts } | { id: number; refusal: { code: ErrorCode; message: string; fields: FieldIssue[] } } | { id: number; failure: string };

/** How many workers inspect at once, how long one file may take, and how much heap a worker may use. */
export interface InspectionPoolOptions {
  size: number;
  timeoutMs: number;
  maxHeapMb: number;
}

/** Two workers (the machine the service targets has two cores), 20 s and 256 MB per file. */
export const DEFAULT_INSPECTION_POOL: InspectionPoolOptions = { size: 2, timeoutMs: 20_000, maxHeapMb: 256 };

interface Task {
  id: number;
  file: string;
  resolve(facts: BookFacts): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

const ENTRY = siblingModule(import.meta.url, 'inspection-worker');

function refusal(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { fields: [{ field: 'file', code: 'FILE_CORRUPT', message }] });
}

/** A small pool of inspection worker threads; see the file comment. */
export class BookInspectionPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;

  constructor(private readonly options: InspectionPoolOptions = DEFAULT_INSPECTION_POOL) {}

  /** Inspects the file at `file` in a worker thread: inspectBook's answer, or FILE_CORRUPT past the time or memory limit. */
  inspect(file: string): Promise<BookFacts> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, file, resolve, reject });
      this.dispatch();
    });
  }

  /** Ends every worker (for a clean shutdown); files still waiting are failed. */
  async close(): Promise<void> {
    for (const task of this.queue.splice(0)) task.reject(new Error('The book inspection pool was closed.'));
    await Promise.all([...this.slots].map((slot) => this.end(slot, new Error('The book inspection pool was closed.'))));
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = [...this.slots].find((s) => !s.task);
      if (!slot) {
        if (this.slots.size >= this.options.size) return;
        slot = this.spawn();
      }
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, file: task.file } satisfies InspectRequest);
      if (slot.ready) this.startClock(slot);
    }
  }

  private spawn(): Slot {
    const worker = startWorker(ENTRY, { resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb } });
    const slot: Slot = { worker, ready: false, task: null, timer: null };
    this.slots.add(slot);
    worker.on('message', (reply: InspectReply) => this.answer(slot, reply));
    worker.on('error', (err: Error & { code?: string }) => {
      const cause = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? refusal('The file could not be read: it needs more memory than a book should.') : err;
      void this.end(slot, cause);
    });
    worker.on('exit', () => void this.end(slot, new Error('A book inspection worker stopped unexpectedly.')));
    return slot;
  }

  // The clock starts once the worker is loaded and has the file: starting a worker is not the file's fault.
  private startClock(slot: Slot): void {
    const limit = `${this.options.timeoutMs / 1000} seconds`;
    slot.timer = setTimeout(() => void this.end(slot, refusal(`The file could not be read within ${limit}.`)), this.options.timeoutMs);
  }

  private answer(slot: Slot, reply: InspectReply): void {
    if ('ready' in reply) {
      slot.ready = true;
      if (slot.task) this.startClock(slot);
      return;
    }
    const task = slot.task;
    if (!task || task.id !== reply.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.task = null;
    slot.timer = null;
    slot.worker.unref();
    if ('facts' in reply) {
      const cover = reply.facts.cover;
      // Structured cloning turns a Buffer into a plain Uint8Array.
      task.resolve({ ...reply.facts, cover: cover ? { type: cover.type, data: Buffer.from(cover.data.buffer, cover.data.byteOffset, cover.data.byteLength) } : null });
    } else if ('refusal' in reply) task.reject(new AppError(reply.refusal.code, reply.refusal.message, { fields: reply.refusal.fields }));
    else task.reject(new Error(reply.failure));
    this.dispatch();
  }

  // Removes a worker for good (time limit, crash, exit, close), failing its file with `cause`, and lets the queue move on.
  private async end(slot: Slot, cause: Error): Promise<void> {
    if (!this.slots.delete(slot)) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.task?.reject(cause);
    slot.task = null;
    await slot.worker.terminate();
    this.dispatch();
  }
}

/** The process's pool, shared by every upload (workers start on first use and idle without holding the process open). */
export const bookInspections = new BookInspectionPool();
