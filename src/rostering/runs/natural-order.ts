// Shared with the web console: no Node imports.

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Compares ids and names as people count: e-2 before e-10, "Grade 9" before "Grade 10" (Intl.Collator, numeric). */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
