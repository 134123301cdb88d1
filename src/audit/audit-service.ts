import type { Kysely } from 'kysely';
import type { AuditEntry, Database } from '../db/schema.js';
import type { Actor } from '../accounts/policy.js';
import { nowIso } from '../time.js';

/** One change to record: what was done to what, and the names (never the values) of changed fields. */
export interface AuditEvent {
  customerId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  fields: string[];
}

/** The audit log: who changed what and when. Values are never written, so secrets cannot leak here. */
export class AuditService {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends one entry. */
  async record(actor: Actor, event: AuditEvent): Promise<void> {
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
      })
      .execute();
  }

  /** A customer's entries, newest first. */
  listForCustomer(customerId: string, limit: number, offset: number): Promise<AuditEntry[]> {
    return this.db.selectFrom('audit_log').selectAll().where('customer_id', '=', customerId).orderBy('id', 'desc').limit(limit).offset(offset).execute();
  }
}
