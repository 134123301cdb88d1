import v8 from 'node:v8';
import vm from 'node:vm';

// V8 gives a context its `gc` function only when the flag is set before the context is made.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Runs a full garbage collection. A roster run calls it between reading and planning: the reader's
 * id indexes (hundreds of MB of typed arrays for a million-user bundle) are garbage by then, but
 * planning is SQL and allocates almost nothing in JavaScript, so V8 would not collect them on its
 * own and they would stay resident beside SQLite's work for the rest of the run.
 */
export function collectGarbage(): void {
  gc();
}
