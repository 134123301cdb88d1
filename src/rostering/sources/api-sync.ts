import type { Actor } from '../../accounts/policy.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import type { RunView } from '../runs/run-view.js';

/**
 * Pulls the customer's roster from its OneRoster REST API and runs it (the twin of `pullFromSftp`).
 * `runId`: a run already recorded as queued (by the route or the scheduler) to carry on with.
 */
export async function pullFromApi(_ctx: AppContext, _actor: Actor, _customerId: string, _opts: { force?: boolean; full?: boolean; runId?: string } = {}): Promise<RunView> {
  throw new AppError('CONFLICT', 'Pulling from a OneRoster API is being built.');
}
