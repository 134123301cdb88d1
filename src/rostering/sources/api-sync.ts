import type { Actor } from '../../accounts/policy.js';
import type { AppContext } from '../../context.js';
import { CustomerRepository } from '../../customers/customer-repository.js';
import { secretContext } from '../../customers/customer-service.js';
import { AppError } from '../../errors.js';
import { addMs, nowIso } from '../../time.js';
import type { Version } from '../oneroster/spec.js';
import type { RunView } from '../runs/run-view.js';
import { RestClient, restAuth, restBaseUrl, type RestOptions } from './rest-client.js';
import { restSource } from './rest-source.js';
import { RestStateRepository } from './rest-state-repository.js';

/** An incremental pull asks for changes since the last pull began, minus this (clock skew, slow commits). */
export const DELTA_OVERLAP_MS = 60 * 60_000;
/** A full pull (which alone can notice records the provider dropped) is due this long after the last. */
export const FULL_RECONCILE_MS = 7 * 24 * 60 * 60_000;

/**
 * Pulls the customer's roster from its OneRoster REST API and runs it (the twin of `pullFromSftp`).
 * `runId`: a run already recorded as queued (by the route or the scheduler) to carry on with.
 * The first pull, one a week after the last full one, and any pull with `full` or `force` read every
 * collection in full (records missing from it are deleted, within the safeguards); the others ask
 * only for records changed since the last successful pull (less an hour) and are applied as deltas,
 * so nobody is deleted for being absent from them. A source failure ends as a failed run that says
 * why and deletes nothing. `client` tunes paging, timeouts and retries (tests, benchmarks).
 */
export async function pullFromApi(ctx: AppContext, actor: Actor, customerId: string, opts: { force?: boolean; full?: boolean; runId?: string; client?: Partial<RestOptions> } = {}): Promise<RunView> {
  const record = await new CustomerRepository(ctx.db.kysely).find(customerId);
  if (!record) throw new AppError('NOT_FOUND', 'Customer not found.');
  const r = record.rostering;
  if (r.type !== 'oneroster' || r.sync_type !== 'api' || !r.api_secret_enc || !r.api_url) {
    throw new AppError('CONFLICT', 'This customer does not sync from a OneRoster API.');
  }
  const states = new RestStateRepository(ctx.db.kysely);
  const state = await states.find(customerId);
  const now = nowIso();
  const full = Boolean(opts.full || opts.force || !state || Date.parse(now) - Date.parse(state.last_full_at) >= FULL_RECONCILE_MS);
  const since = full || !state ? null : addMs(state.last_pull_at, -DELTA_OVERLAP_MS);
  const version: Version = r.one_roster_version === '1.2' ? '1.2' : '1.1';
  let baseUrl: string;
  try {
    baseUrl = restBaseUrl(r.api_url, version);
  } catch {
    throw new AppError('CONFLICT', 'The OneRoster API URL of this customer is not a valid http(s) URL.');
  }
  const host = new URL(baseUrl).host;
  const fileName = full ? `${host}: full pull` : `${host}: changes since ${since}`;

  let runId = opts.runId;
  if (runId) {
    const queued = await ctx.runs.get(actor, customerId, runId);
    if (queued.status !== 'queued') throw new AppError('CONFLICT', `Only a queued run can be started; this one is ${queued.status}.`);
  } else {
    runId = (await ctx.runs.create(actor, customerId, { trigger: 'api', fileName, sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false })).runId;
  }

  let secret: string;
  try {
    secret = ctx.secrets.open(r.api_secret_enc, secretContext(customerId, 'api_secret'));
  } catch {
    return ctx.runs.fail(runId, 'SOURCE_AUTH_FAILED', 'The stored API secret could not be opened; enter the Secret Key again.');
  }
  const auth = restAuth({ authorization: r.authorization, tokenUrl: r.token_url, scope: r.scope, consumerKey: r.api_consumer_key }, secret);
  const source = restSource(new RestClient(baseUrl, auth, ctx.outbound, { ...ctx.config.apiPaging, ...opts.client }), { version, mode: full ? 'bulk' : 'delta', since });
  const run = await ctx.runs.execute(runId, customerId, source);
  // Only an applied pull moves the clock: a failed or held one is asked for again next time.
  if ((run.status === 'succeeded' || run.status === 'succeeded_with_warnings') && source.startedAt) {
    await states.recordSuccess(customerId, run.runId, source.startedAt, full, nowIso());
  }
  return run;
}
