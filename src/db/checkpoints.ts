import type SQLite from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { siblingModule, startWorker } from '../threads/start-worker.js';

/** How the checkpoint thread works: how often it copies the log, and when it starts the log over. */
export interface CheckpointSettings {
  intervalMs: number;
  /** Log frames (pages) past which a checkpoint also starts the log over (SQLite's own threshold is 1,000). */
  restartFrames: number;
  /**
   * How long a restart waits for the writer and the readers before it gives up. Writers go on while
   * it waits for its turn to write; once it has it, they wait (on a timer) until readers leave the log.
   */
  restartWaitMs: number;
  /** After a restart that a reader held up, how long until the next try. */
  restartBackoffMs: number;
}

/** What the checkpoint thread tells the connection's thread. */
export type FromCheckpointThread = { kind: 'started' } | { kind: 'failed'; message: string };

const DEFAULT_SETTINGS: CheckpointSettings = { intervalMs: 100, restartFrames: 1000, restartWaitMs: 50, restartBackoffMs: 1000 };

/**
 * Checkpoints of a SQLite file in their own thread. SQLite copies the write-ahead log into the database
 * inside the commit that passes 1,000 pages, in the committing thread: copying and syncing took 6 ms
 * of `serve`'s event loop about twelve times a second during an LTI launch benchmark (1,300
 * launches/s, ten pages each), every request in flight waiting meanwhile. Here the serving
 * connection never checkpoints (`wal_autocheckpoint = 0`), and a thread with its own connection does.
 * To start the log over it needs a moment with no writer, which a busy server never leaves; it asks
 * for one (`restarting`), and this connection's writers wait on a timer until it is done, a few
 * milliseconds (only the patient dialect's writers do: give it `restarting` as `holdWrites`). If that thread cannot start or stops, commits checkpoint again, as SQLite does by default.
 */
export class BackgroundCheckpoints {
  private readonly worker: Worker;
  private readonly autocheckpoint: number;
  // Set by the thread while it starts the log over (see checkpoint-thread.ts); read by `restarting`.
  private readonly gate = new Int32Array(new SharedArrayBuffer(4));
  private stopping = false;
  private fellBack = false;
  /** Settles once the thread has its connection (tests wait for it; the product need not). */
  readonly started: Promise<void>;

  constructor(
    private readonly sqlite: SQLite.Database,
    file: string,
    settings: Partial<CheckpointSettings> = {},
  ) {
    this.autocheckpoint = Number(sqlite.pragma('wal_autocheckpoint', { simple: true }));
    sqlite.pragma('wal_autocheckpoint = 0');
    this.worker = startWorker(siblingModule(import.meta.url, 'checkpoint-thread'), { workerData: { file, gate: this.gate, settings: { ...DEFAULT_SETTINGS, ...settings } } });
    // A thread with a timer only: it must not keep the process alive.
    this.worker.unref();
    let started!: () => void;
    this.started = new Promise((resolve) => (started = resolve));
    this.worker.on('message', (m: FromCheckpointThread) => {
      if (m.kind === 'started') started();
      else console.error(`Checkpoint thread: ${m.message}; it tries again.`);
    });
    this.worker.on('error', (err) => this.fallBack(err.message));
    this.worker.on('exit', (code) => this.fallBack(`exited with code ${code}`));
  }

  /** Whether the thread is starting the log over: this connection's writers wait before they begin (patient-sqlite.ts). */
  get restarting(): boolean {
    return Atomics.load(this.gate, 0) === 1;
  }

  /** Whether commits checkpoint again, because the thread could not start or stopped. */
  get onCommit(): boolean {
    return this.fellBack;
  }

  /** Stops the thread; the connection, closing after, does the last checkpoint. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
    Atomics.store(this.gate, 0, 0);
  }

  private fallBack(reason: string): void {
    if (this.stopping || this.fellBack) return;
    this.fellBack = true;
    Atomics.store(this.gate, 0, 0);
    console.error(`Checkpoint thread: ${reason}; commits checkpoint the database again.`);
    if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${this.autocheckpoint}`);
  }
}
