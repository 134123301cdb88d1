/*
 * Pure types shared with the web console (which type-checks without Node's types): no imports of
 * modules that touch Node or the database here.
 */

/** Per-type counts of what a run will do (and, once applied, did). */
export interface EntityCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  restored: number;
  skipped: number;
}
