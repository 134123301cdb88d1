/*
 * The shape of an LTI grade report call (1.1 Basic Outcomes or 1.3 AGS score) as the API answers it: shared by the service, the route's
 * schema and the console's types, so the three cannot drift apart.
 */

/** Every status a call can have: waiting, accepted by the LMS, being retried, given up, replaced by a newer score. */
export const OUTCOME_STATUSES = ['queued', 'succeeded', 'retrying', 'failed', 'superseded'] as const;

/** The status of an outcome call. */
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** An outcome call as the API shows it. */
export interface OutcomeCallView {
  id: string;
  createdAt: string;
  updatedAt: string;
  user: { id: string; name: string };
  target: { type: 'book' | 'collection'; id: string };
  /** The title's or collection's name, null when it no longer exists. */
  targetTitle: string | null;
  /** '1.1': a Basic Outcomes replaceResult; '1.3': an AGS score. */
  version: '1.1' | '1.3';
  /** Where the grade goes: the outcome service's or line item's host. */
  serviceHost: string;
  /** 0.0–1.0 */
  score: number;
  status: OutcomeStatus;
  attempts: number;
  lastError: string;
}
