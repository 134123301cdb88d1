import type { Me } from '../../types.js';

/**
 * Who may open the Audit page: enterprise admins (every customer) and customer admins (their own).
 * Institute admins, teachers and students see none of the log (src/audit/audit-log-service.ts says why).
 */
export function mayReadAudit(user: Me): boolean {
  return user.role === 'enterprise_admin' || user.role === 'customer_admin';
}
