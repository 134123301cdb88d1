import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { operatorActor } from '../../accounts/policy.js';
import type { AuditQuery } from '../../audit/audit-log-service.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { UsageError } from '../output.js';

/** What `lectern audit export` was asked for: the Audit page's filters, and where the CSV goes. */
export interface AuditExportOptions {
  customer?: string;
  actor?: string;
  action?: string;
  person?: string;
  kind?: string;
  from?: string;
  to?: string;
  /** A file to write (made anew, mode 0600: it names people), or standard output. */
  out?: string;
}

/**
 * Writes the audit entries matching the filters as CSV (the Audit page's download), streamed. The
 * export is logged like the console's, with the CLI as the actor.
 */
export async function exportAudit(ctx: AppContext, o: AuditExportOptions): Promise<void> {
  if (o.kind !== undefined && o.kind !== 'read' && o.kind !== 'write') throw new UsageError('--kind takes read or write.');
  const q: AuditQuery = {
    customerId: o.customer ? await ctx.customers.resolveId(o.customer) : undefined,
    actor: o.actor,
    action: o.action,
    person: o.person,
    kind: o.kind,
    from: o.from,
    to: o.to,
  };
  if (!o.out) {
    await pipeline(await ctx.auditLog.csv(operatorActor, q), process.stdout);
    return;
  }
  // The file first: an export that cannot be written is not logged as made.
  const file = await fs.promises.open(o.out, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
    throw new AppError('BAD_REQUEST', err.code === 'EEXIST' ? `${o.out} exists: Lectern does not overwrite it.` : `Cannot write ${o.out}: ${err.message}.`);
  });
  try {
    await pipeline(await ctx.auditLog.csv(operatorActor, q), file.createWriteStream());
  } catch (err) {
    // No half an export left behind.
    await fs.promises.rm(o.out, { force: true });
    throw err;
  } finally {
    await file.close().catch(() => undefined);
  }
}
