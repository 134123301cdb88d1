import { useTranslation } from 'react-i18next';
import { withQuery } from '../../api.js';
import { Link } from '../../router.js';
import { useUser } from '../../session.js';
import { mayReadAudit } from './access.js';

/** A link to the Audit page filtered to a customer (and a person), for those who may read the log; nothing for others. */
export function AuditLink({ customerId, person, children }: { customerId: string; person?: string; children?: string }) {
  const { t } = useTranslation('audit');
  const user = useUser();
  if (!mayReadAudit(user)) return null;
  return (
    <Link to={withQuery('/audit', { customer: customerId, person })} className="btn btn-secondary">
      {children ?? t('accessLog')}
    </Link>
  );
}
