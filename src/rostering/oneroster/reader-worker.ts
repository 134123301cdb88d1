/*
 * The reading thread, worker side (see reader-thread.ts): inflates the compressed data the main
 * thread posts, and checks and tokenizes it with entrySteps, as the main thread would, hashing every
 * id. Each step goes back with its batch in shared buffers. Memory stays bounded whatever the
 * file: compressed data is asked for only as the inflater drains it, and reading waits while
 * MAX_AHEAD batches are unread on the main thread. Entries are read one at a time, in order.
 */
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { BatchPool } from './csv.js';
import { buffersOf, entrySteps, EntryTokenizer } from './csv-entry.js';
import { inflate } from './inflate.js';
import type { FromWorker, ToWorker, WireStep } from './reader-thread.js';

/** Batches posted and not yet read on the main thread, at most. */
const MAX_AHEAD = 8;
/** Compressed bytes held ready for the inflater, at least (about ten times that inflated). */
const RAW_AHEAD = 256 * 1024;

const port = parentPort;
if (!port) throw new Error('reader-worker runs as a worker thread');

// Shared buffers: a batch goes to the main thread and comes back without a copy or a transfer.
const pool = new BatchPool(true);

/** One entry: its compressed data as it arrives, and how many of its batches are unread. */
class Job {
  private readonly raw: Readable;
  readonly tokenizer: EntryTokenizer;
  private unread = 0;
  private wake: (() => void) | null = null;
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
    this.unread++;
    while (this.unread >= MAX_AHEAD && !this.stopped) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  read(): void {
    this.unread--;
    this.resume();
  }

  stop(): void {
    this.stopped = true;
    // Ends the inflater's wait for data that will not come.
    this.raw.destroy(new Error('stopped'));
    this.resume();
  }

  private resume(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
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
    if (job.stopped) return;
    for await (const step of entrySteps(inflate(job.input, size, deflated), job.tokenizer)) {
      if (job.stopped) break;
      const batch = step.batch;
      const wire: WireStep = { inflated: step.inflated, failure: step.failure, batch: batch && { ...buffersOf(batch), count: batch.count, length: batch.bytes.length } };
      post({ type: 'step', id, step: wire });
      await job.room();
    }
  } finally {
    jobs.delete(id);
    post({ type: 'done', id });
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'entry': {
      const job = new Job(message);
      jobs.set(message.id, job);
      queue = queue.then(() => run(job));
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
    case 'read':
      pool.put(message.buffers);
      jobs.get(message.id)?.read();
      break;
  }
});
