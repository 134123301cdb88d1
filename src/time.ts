/** The current time as stored in the database: ISO-8601 UTC text. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** `iso` moved by `ms` milliseconds, as ISO text. */
export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}
