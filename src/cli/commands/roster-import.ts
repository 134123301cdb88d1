import path from 'node:path';
import { operatorActor } from '../../accounts/policy.js';
import type { CoreContext } from '../../core-context.js';
import { resolveCustomerId } from '../../customers/customer-repository.js';
import { storeBundleFile } from '../../rostering/runs/bundle-store.js';
import { RunRepository } from '../../rostering/runs/run-repository.js';
import type { RunView } from '../../rostering/runs/run-view.js';
import { EXIT, printJson, printTable } from '../output.js';
import { progressBar } from '../progress.js';
import { executeOnThread, executeStoredRun, IMPORT_THREAD_MIN_BYTES } from './import-thread.js';

/** Exit code of an import that stopped for a person's approval. */
export const EXIT_AWAITING_APPROVAL = 3;

/**
 * `lectern roster import`: records a run, executes it (a big bundle on the import thread; waiting its
 * turn if the customer has a run going elsewhere), hashes the roster's passwords, and reports like DESIGN.md.
 */
export async function importBundle(ctx: CoreContext, opts: { customer: string; file: string; dryRun: boolean; json: boolean; force?: boolean }): Promise<number> {
  const customerId = await resolveCustomerId(ctx.db.kysely, opts.customer);
  const stored = await storeBundleFile(opts.file, ctx.bundles, ctx.config.maxBundleBytes);
  const created = await ctx.runs.create(operatorActor, customerId, {
    trigger: 'cli',
    fileName: path.basename(opts.file),
    sizeBytes: stored.sizeBytes,
    sha256: stored.sha256,
    bundlePath: stored.path,
    dryRun: opts.dryRun,
  });
  const bar = progressBar('Importing');
  const onProgress = (done: number, total: number) => bar.update(done, total);
  const force = Boolean(opts.force);
  let run: RunView;
  if (stored.sizeBytes >= IMPORT_THREAD_MIN_BYTES) {
    run = await executeOnThread({ config: ctx.config, runId: created.runId, customerId, bundlePath: stored.path, force }, onProgress);
  } else {
    run = await executeStoredRun(ctx.runs, ctx.bundles, { runId: created.runId, customerId, bundlePath: stored.path, force }, onProgress);
  }
  bar.done();
  return reportRun(ctx, run, opts.json);
}

/** Hashes the run's passwords (when it applied), prints the run as text or JSON, and returns the exit code. */
export async function reportRun(ctx: CoreContext, run: RunView, json: boolean): Promise<number> {
  if ((run.status === 'succeeded' || run.status === 'succeeded_with_warnings') && !run.dryRun) {
    const hashing = progressBar('Hashing passwords');
    await ctx.runs.hashPasswords(run.customerId, (n) => hashing.update(n, n));
    hashing.done();
  }
  const { items: issues } = await new RunRepository(ctx.db.kysely).listIssues(run.customerId, run.runId, { limit: 100_000, offset: 0 });
  if (json) {
    printJson({ ...run, issues });
  } else {
    console.log(`Run ${run.runId}: ${run.status}${run.stage === 'unchanged' ? ' (the file has not changed since the last import)' : ''}${run.dryRun ? ' (preview: nothing applied)' : ''}`);
    if (run.error) console.log(`  ${run.error.message}`);
    if (run.holdReason) console.log(`  Held for approval: ${run.holdReason}`);
    printTable(
      Object.entries(run.counts).map(([type, c]) => ({ type, ...c })),
      ['type', 'created', 'updated', 'unchanged', 'deleted', 'restored', 'skipped'],
    );
    if (issues.length) {
      console.log(`\n${run.issueCounts.error} errors, ${run.issueCounts.warning} warnings, ${run.issueCounts.info} notes; the first:`);
      printTable(issues.slice(0, 20) as unknown as Record<string, unknown>[], ['severity', 'code', 'file', 'line', 'sourcedId', 'message']);
    }
  }
  if (run.status === 'awaiting_approval') return EXIT_AWAITING_APPROVAL;
  return run.status === 'failed' ? EXIT.failed : EXIT.ok;
}
