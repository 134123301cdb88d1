/** Where signing in to the reader sends someone back to: only paths inside the reader. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/reader') && !next.startsWith('/reader/login') ? next : '/reader';
}
