import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { AppError, notFound, validationError, type FieldIssue } from '../errors.js';
import { isPlatformAdmin, type Actor } from '../accounts/policy.js';
import type { AuditKind, Database } from '../db/schema.js';
import { csvCell } from '../rostering/runs/issues-csv.js';
import { AuditService, filtersUsed } from './audit-service.js';
import { AuditRepository, type AuditFilter, type AuditRow } from './audit-repository.js';

/** The Audit page's filters as asked: the repository's, with dates as ISO-8601 as typed (a date alone is that day's UTC midnight). */
export type AuditQuery = AuditFilter;

/** One entry as the Audit page and its CSV show it. */
export interface AuditEntryView {
  id: number;
  at: string;
  kind: AuditKind;
  action: string;
  customer: { id: string; code: string; name: string } | null;
  actor: { id: string | null; label: string };
  /** What the entry names; `name`: a class's title while it exists. */
  target: { type: string; id: string; name: string | null };
  /** The person the entry is about, named from their account as it is now (null name: no account any more). */
  person: { id: string; login: string | null; name: string | null } | null;
  fields: string[];
}

/**
 * The Audit page: who changed or looked at what, filtered and paged, and its CSV. Who sees what:
 * platform admins every entry (and filter by customer); a customer admin their customer's; nobody
 * else any. Institute admins see none: the log records what the district's own staff, district-level
 * staff included, did and looked at, which is the district's privacy officer's business, and a view
 * limited to one school's people would follow students as they move between schools and show a
 * school what district staff did about its new students.
 */
export class AuditLogService {
  constructor(private readonly db: Kysely<Database>) {}

  /** A page of entries matching `q`, newest first, with the number matching. */
  async page(actor: Actor, q: AuditQuery, limit: number, offset: number): Promise<{ items: AuditEntryView[]; total: number }> {
    const { customerId, filter } = this.scoped(actor, q);
    const repo = new AuditRepository(this.db);
    const { rows, total } = customerId ? await repo.pageInCustomer(customerId, filter, limit, offset) : await repo.pagePlatformWide(filter, limit, offset);
    return { items: rows.map(presentEntry), total };
  }

  /**
   * Every entry matching `q` as CSV, newest first, streamed a batch at a time. The download is itself
   * a read (it names people) and is logged first, with the filters used.
   */
  async csv(actor: Actor, q: AuditQuery): Promise<Readable> {
    const { customerId, filter } = this.scoped(actor, q);
    const about = customerId ?? filter.customerId ?? null;
    await new AuditService(this.db).recordRead(actor, {
      customerId: about,
      action: 'audit.exported',
      targetType: about ? 'customer' : 'platform',
      targetId: about ?? 'all',
      fields: filtersUsed({ actor: filter.actor, action: filter.action, person: filter.person, kind: filter.kind, from: filter.from, to: filter.to }),
    });
    const repo = new AuditRepository(this.db);
    const rows = customerId ? repo.streamInCustomer(customerId, filter) : repo.streamPlatformWide(filter);
    async function* lines() {
      yield `${CSV_COLUMNS.join(',')}\r\n`;
      for await (const row of rows) {
        const e = presentEntry(row);
        const cells = [e.at, e.customer?.code ?? '', e.actor.label, e.action, e.kind, e.target.type, e.target.id, e.person?.id ?? '', e.person?.name ?? '', e.person?.login ?? '', e.fields.join(' ')];
        yield `${cells.map(csvCell).join(',')}\r\n`;
      }
    }
    return Readable.from(lines());
  }

  // The tenant wall of the log: the customer a read is confined to (undefined: platform-wide), and the checked filters.
  private scoped(actor: Actor, q: AuditQuery): { customerId: string | undefined; filter: AuditFilter } {
    const filter = checkedFilter(q);
    if (isPlatformAdmin(actor)) return { customerId: undefined, filter };
    if (actor.role !== 'customer_admin' || !actor.customerId) {
      throw new AppError('FORBIDDEN', "The audit log is for the platform's and each customer's administrators.");
    }
    // Another customer's id answers as an unknown one does.
    if (q.customerId !== undefined && q.customerId !== actor.customerId) throw notFound('Customer');
    return { customerId: actor.customerId, filter: { ...filter, customerId: undefined } };
  }
}

/** The CSV's columns, in order. */
const CSV_COLUMNS = ['at', 'customer', 'actor', 'action', 'kind', 'targetType', 'targetId', 'personId', 'personName', 'personLogin', 'fields'] as const;

// Dates to stored instants (ISO-8601 UTC text compares in time order), with field errors for the impossible.
function checkedFilter(q: AuditQuery): AuditFilter {
  const issues: FieldIssue[] = [];
  const instant = (field: 'from' | 'to'): string | undefined => {
    const value = q[field];
    if (value === undefined || value === '') return undefined;
    const t = Date.parse(value);
    if (!ISO_INSTANT.test(value) || Number.isNaN(t) || !realDay(value)) {
      issues.push({ field, message: 'Enter a date (YYYY-MM-DD) or a time (ISO 8601).', code: 'invalid' });
      return undefined;
    }
    return new Date(t).toISOString();
  };
  const from = instant('from');
  const to = instant('to');
  if (from && to && from >= to) issues.push({ field: 'to', message: 'The end must come after the start.', code: 'invalid' });
  if (issues.length) throw validationError(issues);
  const text = (v: string | undefined) => v?.trim() || undefined;
  return { customerId: q.customerId, actor: text(q.actor), action: text(q.action), person: text(q.person), kind: q.kind, from, to };
}

// A date, or a date and time with its offset (a time without one would be read in the server's zone).
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

// Date.parse rolls 2024-02-31 over into March: the day must exist.
function realDay(value: string): boolean {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

function presentEntry(r: AuditRow): AuditEntryView {
  const name = r.subject_login === null ? null : `${r.subject_given_name ?? ''} ${r.subject_family_name ?? ''}`.trim() || r.subject_login;
  return {
    id: r.id,
    at: r.at,
    kind: r.kind,
    action: r.action,
    customer: r.customer_id ? { id: r.customer_id, code: r.customer_code ?? '', name: r.customer_name ?? '' } : null,
    actor: { id: r.actor_user_id, label: r.actor_label },
    target: { type: r.target_type, id: r.target_id, name: r.target_title },
    person: r.subject_user_id ? { id: r.subject_user_id, login: r.subject_login, name } : null,
    fields: JSON.parse(r.fields) as string[],
  };
}
