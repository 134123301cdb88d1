import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { formatDateTime } from '../../labels.js';
import type { AuditEntry } from '../../types.js';
import { AuditLink } from '../audit/AuditLink.js';
import { actionLabel } from '../audit/actions.js';

/** Who changed what on a customer, newest first, with a link to all its entries on the Audit page; `version` changes force a reload. */
export function AuditTrail({ customerId, version }: { customerId: string; version: number }) {
  const { t } = useTranslation('customerPage');
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    api
      .get<AuditEntry[]>(`/api/customers/${customerId}/audit`, { pageSize: 50 })
      .then((e) => current && setEntries(e))
      .catch((err: unknown) => current && setError(messageOf(err)));
    return () => {
      current = false;
    };
  }, [customerId, version]);
  return (
    <section className="card" aria-labelledby="audit-title">
      <header className="card-header">
        <h2 id="audit-title">{t('audit.title')}</h2>
        {/* This card lists changes; the Audit page has them with every read of the customer's people. */}
        <AuditLink customerId={customerId}>{t('audit.allEntries')}</AuditLink>
      </header>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {entries && entries.length === 0 ? <p className="muted">{t('audit.none')}</p> : null}
      {entries && entries.length > 0 ? (
        <ol className="audit-list">
          {entries.map((e) => (
            <li key={e.id}>
              <div className="audit-what">
                <strong>{actionLabel(e.action)}</strong>
                {e.fields.length ? <span className="audit-fields">{e.fields.join(', ')}</span> : null}
              </div>
              <div className="audit-who">
                {e.actor} · <time dateTime={e.at}>{formatDateTime(e.at)}</time>
              </div>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
