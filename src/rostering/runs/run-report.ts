import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { AccessRepository } from '../../accounts/access-repository.js';
import { assertWholeCustomerAccess, requireAccess, type Actor } from '../../accounts/policy.js';
import { AuditService } from '../../audit/audit-service.js';
import type { Database } from '../../db/schema.js';
import { issuesToCsv } from './issues-csv.js';
import { GROUP_SAMPLE, groupFinding, singleFinding, type IssueFinding } from './issue-groups.js';
import { naturalCompare } from './natural-order.js';
import { RunRepository, type IssueQuery } from './run-repository.js';

/** One planned or applied change of a run, as the console shows it. */
export interface RunChangeView {
  entity: string;
  action: string;
  sourcedId: string;
  targetId: string | null;
  /** What people call the record (a person's name, a class title, "person in class"); '' when unknown. */
  name: string;
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

// The plan's record types that name people.
const PEOPLE_ENTITIES: ReadonlySet<string> = new Set(['users', 'enrollments']);

/**
 * What a run found and planned, for the console and the CLI: its issues (a page, or all as CSV)
 * and its changes. Each read first checks that the actor may see the whole customer and that the run
 * is the customer's (policy.requireAccess), then reads only within that customer.
 */
export class RunReportService {
  constructor(private readonly db: Kysely<Database>) {}

  // A run's findings and plan name every school's people: the whole customer's (not an institute admin's).
  private async allow(actor: Actor, customerId: string, runId: string): Promise<RunRepository> {
    assertWholeCustomerAccess(actor, customerId, 'roster');
    await requireAccess(new AccessRepository(this.db), actor, 'customer.console', { customerId, run: runId });
    return new RunRepository(this.db);
  }

  /**
   * A page of the run's issues in file order; `grouped`: one finding per file, code and severity,
   * with its count and first lines, so a warning on every row of an export reads as one finding.
   */
  async issues(actor: Actor, customerId: string, runId: string, q: IssueQuery & { grouped?: boolean }): Promise<{ items: IssueFinding[]; total: number }> {
    const repo = await this.allow(actor, customerId, runId);
    if (!q.grouped) {
      const { items, total } = await repo.listIssues(customerId, runId, q);
      return { items: items.map(singleFinding), total };
    }
    const { groups, total } = await repo.listIssueGroups(customerId, runId, q, GROUP_SAMPLE);
    return { items: groups.map((g) => groupFinding(g.count, g.issues)), total };
  }

  /** Every issue of the run as a CSV stream; the download is logged (issues name people by sourcedId). */
  async issuesCsv(actor: Actor, customerId: string, runId: string): Promise<Readable> {
    const repo = await this.allow(actor, customerId, runId);
    await new AuditService(this.db).recordRead(actor, { customerId, action: 'run.issues_downloaded', targetType: 'run', targetId: runId, fields: [] });
    return issuesToCsv(repo.streamIssues(customerId, runId));
  }

  /**
   * A page of the run's plan: creates, updates, deletes and restores with their changed fields and
   * the records' names. Ordered by type, action, then sourcedId as people count (e-2 before e-10),
   * which SQL cannot do on both dialects, so the filtered plan is ordered here and the page cut;
   * names are looked up for that page only.
   */
  async changes(actor: Actor, customerId: string, runId: string, q: ChangeQuery): Promise<{ items: RunChangeView[]; total: number }> {
    const repo = await this.allow(actor, customerId, runId);
    const all = await repo.listChanges(customerId, runId, { entity: q.entity, action: q.action });
    all.sort((a, b) => (a.entity < b.entity ? -1 : a.entity > b.entity ? 1 : 0) || (a.action < b.action ? -1 : a.action > b.action ? 1 : 0) || naturalCompare(a.sourced_id, b.sourced_id));
    const page = all.slice(q.offset, q.offset + q.limit);
    // A page that names people (users, or enrollments as "person in class") is a read of them, logged once with the kinds it shows.
    const people = [...new Set(page.map((r) => r.entity).filter((e) => PEOPLE_ENTITIES.has(e)))].sort();
    if (people.length) await new AuditService(this.db).recordRead(actor, { customerId, action: 'run.changes_viewed', targetType: 'run', targetId: runId, fields: people });
    const names = new Map<string, string>();
    const unnamed = page.filter((r) => !r.name);
    for (const entity of new Set(unnamed.map((r) => r.entity))) {
      const found = await repo.recordNames(
        customerId,
        runId,
        entity,
        unnamed.filter((r) => r.entity === entity).map((r) => r.sourced_id),
      );
      for (const [id, name] of found) names.set(`${entity}:${id}`, name);
    }
    return {
      items: page.map((r) => ({
        entity: r.entity,
        action: r.action,
        sourcedId: r.sourced_id,
        targetId: r.target_id,
        name: r.name || (names.get(`${r.entity}:${r.sourced_id}`) ?? ''),
        fields: JSON.parse(r.fields) as Record<string, unknown[]>,
        reason: r.reason,
      })),
      total: all.length,
    };
  }
}
