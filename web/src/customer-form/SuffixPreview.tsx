import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api.js';
import { normaliseSuffix } from '../../../src/customers/customer-rules.js';
import { loginFor } from '../../../src/rostering/sync/matching.js';

/**
 * The exact login the Suffix gives, live: "jdoe → jdoe@lincoln", from one of the customer's rostered
 * users on Edit (else a sample username). It applies the server's own rule (normaliseSuffix, loginFor),
 * and on Edit says so when a Suffix saved before the "@" rule is kept, or when a change renames logins.
 */
export function SuffixPreview({ suffix, customerId, stored }: { suffix: string; customerId: string | null; stored: string | null }) {
  const { t } = useTranslation('customerForm');
  const [sample, setSample] = useState('jdoe');
  useEffect(() => {
    if (!customerId) return;
    let current = true;
    unwrap(client.GET('/api/customers/{id}/users', { params: { path: { id: customerId }, query: { role: 'student', pageSize: 1 } } }))
      .then((page) => current && page.items[0]?.username && setSample(page.items[0].username))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [customerId]);
  const typed = suffix.trim();
  const kept = stored !== null && typed === stored;
  const effective = kept ? stored : normaliseSuffix(typed);
  const note = kept && stored && !stored.startsWith('@') ? t('suffixKept') : stored !== null && !kept && typed !== '' ? t('suffixChanges') : typed && !typed.startsWith('@') ? t('suffixAt') : null;
  return (
    <p className="suffix-preview" aria-live="polite" data-testid="suffix-preview">
      {t('suffixLogin')} <code>{sample}</code> → <code>{loginFor(sample, effective)}</code>
      {note ? <span className="suffix-note"> {note}</span> : null}
    </p>
  );
}
