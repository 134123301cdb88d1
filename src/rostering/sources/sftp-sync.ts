import type { Actor } from '../../accounts/policy.js';
import type { AppContext } from '../../context.js';
import { CustomerRepository } from '../../customers/customer-repository.js';
import { secretContext } from '../../customers/customer-service.js';
import { AppError } from '../../errors.js';
import type { RunView } from '../runs/run-view.js';
import { storedBundleSource } from '../runs/zip-source.js';
import { fetchFromSftp } from './sftp-fetch.js';

/**
 * Pulls the customer's bundle from SFTP and runs it: the run is recorded before the connection, so
 * an unreachable host, bad credentials or a missing file end as a failed run that says why (and
 * deletes nothing). The host key is pinned on first use. A file identical to the one the roster
 * already reflects ends the run at stage `unchanged` without reading it, unless `force` (see execute).
 * `runId`: a run already recorded as queued (by the route or the scheduler) to carry on with.
 */
export async function pullFromSftp(ctx: AppContext, actor: Actor, customerId: string, opts: { force?: boolean; settleMs?: number; runId?: string } = {}): Promise<RunView> {
  const record = await new CustomerRepository(ctx.db.kysely).find(customerId);
  if (!record) throw new AppError('NOT_FOUND', 'Customer not found.');
  const r = record.rostering;
  if (r.type !== 'oneroster' || r.sync_type !== 'sftp' || !(r.sftp_password_enc || r.sftp_private_key_enc)) {
    throw new AppError('CONFLICT', 'This customer does not sync from SFTP.');
  }
  const run = opts.runId
    ? await ctx.runs.get(actor, customerId, opts.runId)
    : await ctx.runs.create(actor, customerId, { trigger: 'sftp', fileName: r.sftp_file_name, sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
  if (run.status !== 'queued') throw new AppError('CONFLICT', `Only a queued run can be started; this one is ${run.status}.`);
  let fetched;
  try {
    fetched = await fetchFromSftp(
      {
        host: r.sftp_host,
        port: r.sftp_port ?? 22,
        username: r.sftp_username,
        password: r.sftp_password_enc ? ctx.secrets.open(r.sftp_password_enc, secretContext(customerId, 'sftp_password')) : '',
        privateKey: r.sftp_private_key_enc ? ctx.secrets.open(r.sftp_private_key_enc, secretContext(customerId, 'sftp_private_key')) : null,
        path: r.sftp_path,
        fileName: r.sftp_file_name,
        hostKeyFingerprint: r.sftp_host_key_fingerprint,
      },
      { bundles: ctx.bundles, maxBytes: ctx.config.maxBundleBytes, outbound: ctx.outbound, settleMs: opts.settleMs },
    );
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError('SOURCE_UNREACHABLE', (err as Error).message);
    return ctx.runs.fail(run.runId, e.code, e.message);
  }
  if (!r.sftp_host_key_fingerprint && fetched.fingerprint) {
    await new CustomerRepository(ctx.db.kysely).update(customerId, {}, { sftp_host_key_fingerprint: fetched.fingerprint });
  }
  if (fetched.status !== 'downloaded') throw new AppError('INTERNAL', 'Unexpected fetch result.');
  await ctx.runs.attachBundle(run.runId, fetched.bundle);
  return ctx.runs.execute(run.runId, customerId, storedBundleSource(ctx.bundles, fetched.bundle.path), { force: opts.force });
}
