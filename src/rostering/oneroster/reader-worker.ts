/*
 * The reading thread, worker side (see reader-thread.ts): inflates the compressed data the main
 * thread posts, and checks and tokenizes it with entrySteps, as the main thread would, hashing the
 * ids of the columns it names. Each step goes back with its batch in shared buffers, which are
 * reused once the main thread's count of batches read has passed them. Memory stays bounded
 * whatever the file: compressed data is asked for only as the inflater drains it, and reading
 * waits while MAX_AHEAD batches are unread. Entries are read one at a time, in order.
 */
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { BatchPool, type BatchBuffers } from './csv.js';
import { buffersOf, entrySteps, EntryTokenizer } from './csv-entry.js';
import { inflate } from './inflate.js';
import type { FromWorker, ReaderWorkerData, ToWorker, WireStep } from './reader-thread.js';

/** Batches posted and not yet read on the main thread, at most. */
const MAX_AHEAD = 8;
/** Compressed bytes held ready for the inflater, at least (about ten times that inflated). */
const RAW_AHEAD = 256 * 1024;

const port = parentPort;
if (!port) throw new Error('reader-worker runs as a worker thread');

// Shared buffers: a batch goes to the main thread and comes back without a copy or a transfer.
const pool = new BatchPool(true);

// Atomics.waitAsync is ES2024 (Node has it); the project's lib is ES2023.
type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/**
 * The batches posted and not yet known to be read, oldest first: the main thread reads them in
 * order and counts them in `read`, so the first `read - reclaimed` of them are free again.
 */
const { read } = workerData as ReaderWorkerData;
const posted: BatchBuffers[] = [];
let reclaimed = 0;

function reclaim(): void {
  const done = Atomics.load(read, 0);
  for (; reclaimed < done; reclaimed++) {
    const buffers = posted.shift();
    if (buffers) pool.put(buffers);
  }
}

/** One entry: its compressed data as it arrives, and its tokenizer. */
class Job {
  private readonly raw: Readable;
  readonly tokenizer: EntryTokenizer;
  private signalStop: (() => void) | null = null;
  private readonly stopping = new Promise<void>((resolve) => (this.signalStop = resolve));
  stopped = false;

  constructor(readonly start: Extract<ToWorker, { type: 'entry' }>) {
    this.raw = new Readable({ highWaterMark: RAW_AHEAD, read: () => post({ type: 'more', id: start.id }) });
    this.tokenizer = new EntryTokenizer({ file: start.file, maxRecordLength: start.maxRecordLength }, pool);
  }

  /** The compressed data, for the inflater. */
  get input(): Readable {
    return this.raw;
  }

  /** Hands the inflater a chunk of compressed data, its end (null), or the error that ended it. */
  feed(data: Buffer | null | Error): void {
    if (this.stopped) return;
    if (data instanceof Error) this.raw.destroy(data);
    else this.raw.push(data);
  }

  /** Waits while MAX_AHEAD batches are unread (or until the entry is stopped). */
  async room(): Promise<void> {
    reclaim();
    while (posted.length >= MAX_AHEAD && !this.stopped) {
      const wait = waitAsync(read, 0, reclaimed);
      if (wait.async) await Promise.race([wait.value, this.stopping]);
      reclaim();
    }
  }

  stop(): void {
    this.stopped = true;
    // Ends the inflater's wait for data that will not come.
    this.raw.destroy(new Error('stopped'));
    this.signalStop?.();
  }
}

const jobs = new Map<number, Job>();
let queue = Promise.resolve();

function post(message: FromWorker): void {
  port?.postMessage(message);
}

async function run(job: Job): Promise<void> {
  const { id, size, deflated } = job.start;
  try {
    for await (const step of entrySteps(inflate(job.input, size, deflated), job.tokenizer)) {
      if (job.stopped) break;
      const batch = step.batch;
      const buffers = batch && buffersOf(batch);
      if (buffers) posted.push(buffers);
      const wire: WireStep = { inflated: step.inflated, failure: step.failure, batch: buffers && { ...buffers, count: batch?.count ?? 0, length: batch?.bytes.length ?? 0 } };
      post({ type: 'step', id, step: wire });
      await job.room();
    }
  } finally {
    jobs.delete(id);
  }
  // Not in `finally`: an entry that ends in an exception is not done (it would look whole); the
  // exception ends the worker, which the main thread reports as the file's failure.
  post({ type: 'done', id });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'entry': {
      const job = new Job(message);
      jobs.set(message.id, job);
      // Stopped before its turn, an entry is not read (its input is destroyed already).
      queue = queue
        .then(() => (job.stopped ? post({ type: 'done', id: message.id }) : run(job)))
        .catch((err: unknown) =>
          process.nextTick(() => {
            throw err;
          }),
        );
      break;
    }
    case 'raw':
      jobs.get(message.id)?.feed(Buffer.from(message.chunk));
      break;
    case 'rawEnd':
      jobs.get(message.id)?.feed(null);
      break;
    case 'rawError':
      jobs.get(message.id)?.feed(new Error(message.message));
      break;
    case 'hashIds':
      jobs.get(message.id)?.tokenizer.hashIds(message.columns);
      break;
    case 'stop':
      jobs.get(message.id)?.stop();
      break;
  }
});
