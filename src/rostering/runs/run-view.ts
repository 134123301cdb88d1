import type { EntityCounts } from '../sync/counts.js';
import type { EntityType } from '../sync/snapshot.js';

// Shared with the web console, which type-checks without Node's types: keep this module import-light.

/** A run as the API and CLI show it (DESIGN.md's import/run JSON, with more fields). */
export interface RunView {
  runId: string;
  customerId: string;
  status: 'queued' | 'running' | 'succeeded' | 'succeeded_with_warnings' | 'failed' | 'awaiting_approval' | 'discarded';
  stage: string;
  dryRun: boolean;
  trigger: string;
  actor: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  version: string | null;
  modes: Record<string, string>;
  progress: { done: number; total: number };
  counts: Record<EntityType, EntityCounts>;
  issueCounts: { error: number; warning: number; info: number };
  holdReason: string;
  error: { code: string; message: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Roster passwords the run queued for hashing, and how many still wait (null in lists: not counted there). */
  passwords: { queued: number; pending: number | null };
}
