import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { AccessRepository } from '../../accounts/access-repository.js';
import { requireAccess, type Actor } from '../../accounts/policy.js';
import type { Database } from '../../db/schema.js';
import { issuesToCsv } from './issues-csv.js';
import { RunRepository, type IssueQuery, type RunIssue } from './run-repository.js';

/** One planned or applied change of a run, as the console shows it. */
export interface RunChangeView {
  entity: string;
  action: string;
  sourcedId: string;
  targetId: string | null;
  fields: Record<string, unknown[]>;
  reason: string;
}

/** Filters for a run's changes. */
export interface ChangeQuery {
  entity?: string;
  action?: string;
  limit: number;
  offset: number;
}

/**
 * What a run found and planned, for the console and the CLI: its issues (a page, or all as CSV)
 * and its changes. Each read first checks that the actor may see the customer and that the run is
 * the customer's (policy.requireAccess), then reads only within that customer.
 */
export class RunReportService {
  constructor(private readonly db: Kysely<Database>) {}

  private async allow(actor: Actor, customerId: string, runId: string): Promise<RunRepository> {
    await requireAccess(new AccessRepository(this.db), actor, 'customer.console', { customerId, run: runId });
    return new RunRepository(this.db);
  }

  /** A page of the run's issues, in file order. */
  async issues(actor: Actor, customerId: string, runId: string, q: IssueQuery): Promise<{ items: RunIssue[]; total: number }> {
    return (await this.allow(actor, customerId, runId)).listIssues(customerId, runId, q);
  }

  /** Every issue of the run as a CSV stream. */
  async issuesCsv(actor: Actor, customerId: string, runId: string): Promise<Readable> {
    return issuesToCsv((await this.allow(actor, customerId, runId)).streamIssues(customerId, runId));
  }

  /** A page of the run's plan: creates, updates, deletes and restores with their changed fields. */
  async changes(actor: Actor, customerId: string, runId: string, q: ChangeQuery): Promise<{ items: RunChangeView[]; total: number }> {
    const { items, total } = await (await this.allow(actor, customerId, runId)).listChanges(customerId, runId, q);
    return {
      items: items.map((r) => ({ entity: r.entity, action: r.action, sourcedId: r.sourced_id, targetId: r.target_id, fields: JSON.parse(r.fields) as Record<string, unknown[]>, reason: r.reason })),
      total,
    };
  }
}
