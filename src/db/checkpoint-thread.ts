/*
 * The checkpoint thread (see checkpoints.ts): its own connection to the SQLite file, copying the
 * write-ahead log into the database on a timer so that the serving thread's commits never do it.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import type { CheckpointSettings, FromCheckpointThread } from './checkpoints.js';

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

const require = createRequire(import.meta.url);
const { file, gate, settings } = workerData as { file: string; gate: Int32Array; settings: CheckpointSettings };
const port = parentPort!;
const sqlite = new (require('better-sqlite3') as typeof SQLite)(file);
// Only a RESTART waits (for the writer and the readers), and never long: writers wait while it does.
sqlite.pragma(`busy_timeout = ${settings.restartWaitMs}`);

let restartAfter = 0;
let failing = false;

function checkpoint(mode: 'PASSIVE' | 'RESTART'): CheckpointResult {
  return (sqlite.pragma(`wal_checkpoint(${mode})`) as CheckpointResult[])[0]!;
}

// PASSIVE copies what it can and never makes anyone wait. But under steady writes the log is never
// wholly copied at the moment a writer starts, so no writer starts it over and it grows without end:
// past `restartFrames`, RESTART copies the little PASSIVE left and the next commit starts the log from
// its beginning. It needs the write lock, which the serving thread's back-to-back writes would hardly
// ever leave free: the gate asks them to wait (on a timer) until it is done.
function tick(): void {
  try {
    const passive = checkpoint('PASSIVE');
    failing = false;
    if (passive.log < settings.restartFrames || Date.now() < restartAfter) return;
    // A reader still on the log (a long export): writers go on, and the restart waits a while.
    Atomics.store(gate, 0, 1);
    try {
      if (checkpoint('RESTART').busy) restartAfter = Date.now() + settings.restartBackoffMs;
    } finally {
      Atomics.store(gate, 0, 0);
    }
  } catch (err) {
    // Said once per spell of failures: the next tick tries again.
    if (!failing) port.postMessage({ kind: 'failed', message: (err as Error).message } satisfies FromCheckpointThread);
    failing = true;
  }
}

setInterval(tick, settings.intervalMs);
port.postMessage({ kind: 'started' } satisfies FromCheckpointThread);
