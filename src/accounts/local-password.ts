import type { Kysely } from 'kysely';
import { AuditService } from '../audit/audit-service.js';
import type { Database } from '../db/schema.js';
import type { Actor } from './policy.js';
import { SessionRepository } from './session-repository.js';
import { UserRepository } from './user-repository.js';

/** Why an admin replaces someone's password: shown in the audit log as the action. */
export type LocalPasswordReason = 'login_card';

/**
 * The one way an admin gives a user of a customer a password Lectern chose (login cards today):
 * stores its argon2id hash (hashed by the caller, outside any transaction), optionally asks for a
 * change at the next sign-in, ends the user's sessions, and records an audit entry naming the field,
 * never the value. `db` may be a transaction, so a batch commits or rolls back as one.
 *
 * A roster that supplies passwords keeps its keyed digest of its own value in `password_digest`;
 * this leaves it alone, so a sync replaces the local password only when the roster's password
 * itself changes (applier.ts queues a re-hash on a changed digest). The override rule of issue 15's
 * "set or reset a password" belongs here, so that every local password follows it.
 */
export async function setLocalPassword(
  db: Kysely<Database>,
  actor: Actor,
  input: { customerId: string; userId: string; passwordHash: string; mustChangePassword: boolean; reason: LocalPasswordReason; at: string },
): Promise<void> {
  await new UserRepository(db).updateInCustomer(input.customerId, input.userId, {
    password_hash: input.passwordHash,
    must_change_password: input.mustChangePassword ? 1 : 0,
    updated_at: input.at,
  });
  // A password someone else set ends what the old one opened, as a change of one's own does.
  await new SessionRepository(db).deleteSessionsOfUser(input.userId);
  await new AuditService(db).record(actor, { customerId: input.customerId, action: `user.password_set.${input.reason}`, targetType: 'user', targetId: input.userId, fields: ['password'] });
}
