/**
 * Named points where a test can make this process die on the spot (SIGKILL, no cleanup), to prove
 * that a crash there loses nothing: `LECTERN_FAILPOINT=apply.mid lectern roster import …`.
 * Unset in production, where each call is one environment lookup.
 */
export function failpoint(name: string): void {
  if (process.env.LECTERN_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
