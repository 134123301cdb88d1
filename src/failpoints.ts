import type { Kysely } from 'kysely';

/**
 * Named points where a test can make this process die on the spot (SIGKILL: no cleanup, no
 * `finally`), to prove that a crash there loses nothing and leaves a run record that tells the
 * truth. `LECTERN_FAILPOINT=<name>` dies at the first pass of the point, `<name>@<n>` at the n-th:
 *
 *   read.row         each row a source hands to the stage
 *   plan.step        each SQL statement of planning
 *   apply.step       each SQL statement of the apply transaction (the run's own record included)
 *   apply.mid        inside the apply transaction, once the users are written
 *   apply.committed  just after the apply transaction committed
 *   erase.step       each SQL statement of an erasure's transaction (privacy/erasure)
 *   erase.committed  just after an erasure committed, before its files are deleted
 *
 * Honoured only under `NODE_ENV=test` or with `LECTERN_FAILPOINTS=on` (a rehearsal on a staging
 * copy), so a stray variable never kills a production process. Unarmed, a pass costs one comparison.
 */
interface Armed {
  name: string;
  at: number;
  hits: Map<string, number>;
}

let armed: Armed | null | undefined;

function arm(): Armed | null {
  const spec = process.env.LECTERN_FAILPOINT;
  if (!spec || (process.env.NODE_ENV !== 'test' && process.env.LECTERN_FAILPOINTS !== 'on')) return null;
  const [name = '', at] = spec.split('@');
  return { name, at: Math.max(1, Number(at ?? 1) || 1), hits: new Map() };
}

/** Passes the failpoint `name`: the process dies here if `LECTERN_FAILPOINT` names it (and this is its n-th pass). */
export function failpoint(name: string): void {
  if (armed === undefined) armed = arm();
  if (!armed) return;
  const n = (armed.hits.get(name) ?? 0) + 1;
  armed.hits.set(name, n);
  if (name === armed.name && n >= armed.at) process.kill(process.pid, 'SIGKILL');
}

/**
 * `db` with the failpoint `name` passed before each statement it runs (counted per statement, so
 * `name@n` dies before the n-th). Without an armed failpoint, `db` itself: no plugin, no cost.
 */
export function failpointPerStatement<DB>(db: Kysely<DB>, name: string): Kysely<DB> {
  if (armed === undefined) armed = arm();
  if (!armed) return db;
  return db.withPlugin({
    transformQuery: (args) => {
      failpoint(name);
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  });
}

/**
 * For tests that pick a random point: re-reads `LECTERN_FAILPOINT` (arming with a name no code
 * passes counts the passes without dying) and returns the passes counted until then, by name.
 */
export function rearmFailpoints(): Record<string, number> {
  const hits = Object.fromEntries(armed?.hits ?? []);
  armed = arm();
  return hits;
}
