import type { Kysely } from 'kysely';
import type { AuditEntry, AuditKind, Database } from '../db/schema.js';
import type { Actor } from '../accounts/policy.js';
import { nowIso } from '../time.js';

/** One change to record: what was done to what, and the names (never the values) of changed fields. */
export interface AuditEvent {
  customerId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  fields: string[];
  /** The person the entry is about; a `user` target is its own subject unless this says otherwise. */
  subjectUserId?: string | null;
}

/**
 * The audit log: who changed or looked at what, and when. Values are never written, so secrets and
 * search text cannot leak here; a read names what was shown (a person, a class, a run) and, for a
 * list, which filters were used.
 */
export class AuditService {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends one entry for a change. */
  record(actor: Actor, event: AuditEvent): Promise<void> {
    return this.append(actor, event, 'write');
  }

  /**
   * Appends one entry for a read of personal data (a user's page, a class roster, a download), one
   * insert and nothing else, before the data is answered: an answer is never sent unlogged.
   */
  recordRead(actor: Actor, event: AuditEvent): Promise<void> {
    return this.append(actor, event, 'read');
  }

  private async append(actor: Actor, event: AuditEvent, kind: AuditKind): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        customer_id: event.customerId,
        actor_user_id: actor.userId,
        actor_label: actor.label,
        action: event.action,
        target_type: event.targetType,
        target_id: event.targetId,
        fields: JSON.stringify(event.fields),
        at: nowIso(),
        kind,
        subject_user_id: event.subjectUserId !== undefined ? event.subjectUserId : event.targetType === 'user' ? event.targetId : null,
      })
      .execute();
  }

  /** A customer's changes (not its reads: the Audit page has those), newest first. */
  listForCustomer(customerId: string, limit: number, offset: number): Promise<AuditEntry[]> {
    return this.db.selectFrom('audit_log').selectAll().where('customer_id', '=', customerId).where('kind', '=', 'write').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  }
}

/** The filters a list was asked with, by name (never their values), for a read's `fields`. */
export function filtersUsed(filters: Record<string, unknown>): string[] {
  return Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)
    .map(([k]) => k);
}
