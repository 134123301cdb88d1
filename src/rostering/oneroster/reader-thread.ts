/*
 * The reading thread, main side. Reading a big bundle is CPU work in two parts: inflating, checking
 * UTF-8 and tokenizing the bytes (and hashing the ids), and checking the rows against the id
 * indexes (about two thirds). The first half runs in a worker thread (reader-worker.ts), the second here, at the same
 * time. This side reads the entry's compressed data (from a file or a sealed bundle alike) and posts
 * it as the worker asks for it; the worker posts back each chunk's batch of records in shared
 * buffers, at most a few ahead of the rows read here. Batches read here are counted in a shared
 * counter, not handed back by message: the worker reuses their buffers when it next looks, and is
 * woken only when it waits for room (a message per batch woke it a thousand times per district).
 * A worker that dies or fails becomes the structural failure of the file being read.
 */
import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { siblingModule, startWorker } from '../../threads/start-worker.js';
import type { BatchBuffers } from './csv.js';
import { readFailure, type EntryFailure, type EntryOptions, type EntryStep } from './csv-entry.js';
import { EntryReadError } from './inflate.js';
import { isDeflated, type BundleZip, type ZipEntryInfo } from './zip.js';

/** A step as it crosses the thread boundary: the batch as its buffers. */
export interface WireStep {
  inflated: number;
  failure: EntryFailure | null;
  batch: (BatchBuffers & { count: number; length: number }) | null;
}

/** Messages to the worker: an entry to read, its compressed data, which columns hold ids, stop. */
export type ToWorker =
  | { type: 'entry'; id: number; file: string; size: number; deflated: boolean; maxRecordLength: number }
  | { type: 'raw'; id: number; chunk: ArrayBuffer }
  | { type: 'rawEnd'; id: number }
  | { type: 'rawError'; id: number; message: string }
  | { type: 'hashIds'; id: number; columns: number[] }
  | { type: 'stop'; id: number };

/** What the worker is started with: the shared count of batches read on the main thread. */
export interface ReaderWorkerData {
  read: Int32Array;
}

/** Messages from the worker: a request for more compressed data, a step, the end of an entry. */
export type FromWorker = { type: 'more'; id: number } | { type: 'step'; id: number; step: WireStep } | { type: 'done'; id: number };

/** One worker thread that inflates and tokenizes the entries of one bundle, one at a time. */
export class ReaderThread {
  /** The worker's module (tests point it at one that fails). */
  static entry = siblingModule(import.meta.url, 'reader-worker');
  private static running = 0;
  private error: Error | null = null;
  private closing = false;
  private job: Job | null = null;
  private nextId = 1;

  private constructor(
    private readonly worker: Worker,
    /** Batches read (or dropped) here so far, shared with the worker. */
    private readonly read: Int32Array,
  ) {
    ReaderThread.running++;
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      ReaderThread.running--;
      if (!this.closing) this.fail(new Error(`it stopped with exit code ${code}`));
    });
  }

  /** Starts a worker; it loads while the caller goes on. */
  static start(): ReaderThread {
    const read = new Int32Array(new SharedArrayBuffer(4));
    return new ReaderThread(startWorker(ReaderThread.entry, { workerData: { read } satisfies ReaderWorkerData }), read);
  }

  /** Reading threads started and not yet ended (none should outlive its read). */
  static get live(): number {
    return ReaderThread.running;
  }

  /** Steps received from the worker and not yet read here: the worker stays at most a few batches ahead. */
  get queued(): number {
    return this.job?.queued ?? 0;
  }

  /** Whether the worker has died or failed (files are then read on the main thread). */
  get failed(): boolean {
    return this.error !== null;
  }

  /**
   * The steps of reading `entry` in the thread, as entrySteps gives them on this one. A batch's
   * buffers go back to the worker when the next step is asked for; stopping early stops the worker's
   * reading of the entry.
   */
  async *steps(zip: BundleZip, entry: ZipEntryInfo, options: EntryOptions): AsyncGenerator<EntryStep, void, undefined> {
    let raw: Readable;
    try {
      raw = await zip.openRaw(entry);
    } catch (err) {
      if (!(err instanceof EntryReadError)) throw err;
      yield { batch: null, inflated: 0, failure: readFailure(options.file, err) };
      return;
    }
    const job = new Job(this.nextId++, this.error);
    this.job = job;
    this.post({ type: 'entry', id: job.id, file: options.file, size: entry.size, deflated: isDeflated(entry), maxRecordLength: options.maxRecordLength });
    void this.pump(job, raw);
    let inflated = 0;
    // A batch being read by the caller: counted once it is done with it (next step, or stopping).
    let holding = 0;
    try {
      for (let step = await job.next(); step; step = await job.next()) {
        inflated = step.inflated;
        holding = step.batch ? 1 : 0;
        yield step;
        this.release(holding);
        holding = 0;
      }
    } catch (err) {
      if (err !== this.error) throw err;
      const failure: EntryFailure = { code: 'file.unreadable', message: `${options.file} could not be read: the reading thread failed (${(err as Error).message}).`, line: null };
      yield { batch: null, inflated, failure };
    } finally {
      this.release(holding + job.close());
      raw.destroy();
      this.job = null;
      if (!job.done && !this.error) this.post({ type: 'stop', id: job.id });
    }
  }

  /** Has the ids in `columns` of the entry being read hashed there from now on (see CsvTokenizer.keyColumns). */
  hashIds(columns: number[]): void {
    if (this.job) this.post({ type: 'hashIds', id: this.job.id, columns });
  }

  /** Ends the worker. */
  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  // Posts the compressed data of the job's entry, a chunk each time the worker asks for one.
  private async pump(job: Job, raw: Readable): Promise<void> {
    try {
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        if (!(await job.credit())) return;
        // A copy the worker can own: the chunk's memory may be shared with other chunks.
        const copy = (chunk.buffer as ArrayBuffer).slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength);
        this.post({ type: 'raw', id: job.id, chunk: copy }, [copy]);
      }
      if (!job.closed) this.post({ type: 'rawEnd', id: job.id });
    } catch (err) {
      if (!job.closed) this.post({ type: 'rawError', id: job.id, message: (err as Error).message });
    }
  }

  // Counts batches as read: their buffers are the worker's again.
  private release(batches: number): void {
    if (!batches) return;
    Atomics.add(this.read, 0, batches);
    Atomics.notify(this.read, 0);
  }

  private receive(message: FromWorker): void {
    // Messages of an entry no longer read (stopped early) are dropped, their batches counted as read.
    const job = this.job;
    if (!job || job.id !== message.id) {
      if (message.type === 'step' && message.step.batch) this.release(1);
      return;
    }
    if (message.type === 'more') job.grant();
    else if (message.type === 'done') job.finish();
    else job.deliver(fromWire(message.step));
  }

  private fail(err: Error): void {
    this.error ??= err;
    this.job?.fail(this.error);
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.error) this.worker.postMessage(message, transfer);
  }
}

function fromWire(step: WireStep): EntryStep {
  const b = step.batch;
  const batch = b && { bytes: Buffer.from(b.bytes, 0, b.length), count: b.count, records: new Int32Array(b.records), cells: new Int32Array(b.cells) };
  return { batch, inflated: step.inflated, failure: step.failure };
}

/** The main side of one entry being read: steps received and not yet read, and credit for compressed data. */
class Job {
  private readonly received: EntryStep[] = [];
  private waiting: { resolve(step: EntryStep | null): void; reject(err: Error): void } | null = null;
  private credits = 0;
  private creditWaiting: ((go: boolean) => void) | null = null;
  /** The worker has finished the entry. */
  done = false;
  /** This side has stopped reading it. */
  closed = false;

  constructor(
    readonly id: number,
    private error: Error | null,
  ) {}

  /** Steps received and not yet read. */
  get queued(): number {
    return this.received.length;
  }

  /** The next step, null once the worker has finished; rejects when the thread fails. */
  next(): Promise<EntryStep | null> {
    const step = this.received.shift();
    if (step) return Promise.resolve(step);
    if (this.error) return Promise.reject(this.error);
    if (this.done) return Promise.resolve(null);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  deliver(step: EntryStep): void {
    if (this.waiting) this.take().resolve(step);
    else this.received.push(step);
  }

  finish(): void {
    this.done = true;
    if (this.waiting) this.take().resolve(null);
  }

  fail(err: Error): void {
    this.error = err;
    if (this.waiting) this.take().reject(err);
    this.close();
  }

  /** Resolves true once the worker has asked for a chunk (false when reading has stopped). */
  credit(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.credits > 0) {
      this.credits--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => (this.creditWaiting = resolve));
  }

  grant(): void {
    const waiting = this.creditWaiting;
    this.creditWaiting = null;
    if (waiting) waiting(true);
    else this.credits++;
  }

  /** Stops reading; returns how many batches were received and will not be read. */
  close(): number {
    this.closed = true;
    const waiting = this.creditWaiting;
    this.creditWaiting = null;
    waiting?.(false);
    return this.received.splice(0).filter((step) => step.batch).length;
  }

  private take(): { resolve(step: EntryStep | null): void; reject(err: Error): void } {
    const waiting = this.waiting as { resolve(step: EntryStep | null): void; reject(err: Error): void };
    this.waiting = null;
    return waiting;
  }
}
