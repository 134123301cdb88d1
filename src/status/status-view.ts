// Shared with the web console, which type-checks without Node's types: keep this module import-light.

/** Where a customer's roster comes from: a pull (API, SFTP), uploads (ZIP), or nowhere. */
export type StatusSource = 'api' | 'sftp' | 'zip' | 'none';

/**
 * A customer's state on the status page, worst first: its last sync failed, a run waits for
 * approval, its Auto feed is stale, grade reports to its LMS failed, or all is well (`ok`; `idle`:
 * no sync yet and nothing due).
 */
export type StatusState = 'failed' | 'held' | 'stale' | 'outcomes' | 'ok' | 'idle';

/** The states in the order the page draws and counts them. */
export const STATUS_STATES: readonly StatusState[] = ['failed', 'held', 'stale', 'outcomes', 'ok', 'idle'];

/** One customer's row on the enterprise admin's status page. */
export interface CustomerStatus {
  customerId: string;
  name: string;
  code: string;
  /** `disabled` customers are listed too: their feeds still tell a story. */
  customerStatus: 'active' | 'disabled';
  timeZone: string;
  source: StatusSource;
  syncFrequency: 'auto' | 'manual' | null;
  period: string | null;
  /** The last sync (previews aside): when, from where (`trigger`), and how it ended. */
  lastSync: { runId: string; trigger: string; status: string; createdAt: string; finishedAt: string | null } | null;
  lastSuccessAt: string | null;
  /** The next Auto slot, when the scheduler pulls this customer. */
  nextRunAt: string | null;
  stale: boolean;
  /** Runs held for approval (over the deletion threshold), and the oldest of them. */
  heldRuns: number;
  oldestHeldRunId: string | null;
  /** LTI grade reports (outcome calls) that failed in the last seven days. */
  failedOutcomeCalls: number;
  state: StatusState;
}

/** GET /api/status: a page of rows, and the count of every state over the whole filtered list. */
export interface StatusPage {
  items: CustomerStatus[];
  total: number;
  page: number;
  pageSize: number;
  counts: Record<StatusState, number>;
  generatedAt: string;
}
