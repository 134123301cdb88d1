import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { CopyField } from '../../components/CopyField.js';
import { Facts, SectionCard as Card } from '../../components/Facts.js';
import { formatDateTime } from '../../labels.js';
import type { Customer } from '../../types.js';

/**
 * An LTI 1.3 customer's tool values to paste into the LMS (with copy buttons), its platform
 * registrations, and a fresh Dynamic Registration URL on request (its secret is shown once).
 */
export function Lti13Card({ customer: c, onMinted }: { customer: Customer; onMinted?: () => void }) {
  const { t } = useTranslation('customerPage');
  const [minted, setMinted] = useState<{ registrationUrl: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tool = c.lti.tool;
  if (!tool) return null;
  const mint = async () => {
    setBusy(true);
    setError(null);
    try {
      setMinted(await api.post<{ registrationUrl: string; expiresAt: string }>(`/api/customers/${c.id}/lti/1.3/registration-url`));
      onMinted?.();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card
      className="summary-card summary-card-wide"
      title="LTI 1.3"
      action={
        <button type="button" className="btn btn-secondary btn-small" onClick={() => void mint()} disabled={busy}>
          {t('lti13.newRegistrationUrl')}
        </button>
      }
    >
      <div className="stack">
        <p className="muted">{t('lti13.lead')}</p>
        <CopyField label={t('lti13.loginUrl')} name="lti.tool.loginUrl" value={tool.loginUrl} />
        <CopyField label={t('lti13.launchUrl')} name="lti.tool.launchUrl" value={tool.launchUrl} />
        <CopyField label={t('lti13.jwksUrl')} name="lti.tool.jwksUrl" value={tool.jwksUrl} />
        {error ? <Banner kind="error">{error}</Banner> : null}
        {minted ? (
          <>
            <CopyField label={t('lti13.registrationUrl')} name="lti.tool.registrationUrl" value={minted.registrationUrl} secret />
            <p className="muted">{t('lti13.worksOnce', { when: formatDateTime(minted.expiresAt) })}</p>
          </>
        ) : null}
        {c.lti.platforms.length ? (
          c.lti.platforms.map((p) => (
            <Facts
              key={p.id}
              items={[
                [t('lti13.issuer'), <code key="i">{p.issuer}</code>],
                [t('lti13.clientId'), <code key="c">{p.clientId}</code>],
                [t('lti13.deployments'), p.deploymentIds.join(', ')],
                [t('lti13.registered'), p.origin === 'dynamic' ? t('lti13.byDynamicRegistration') : t('lti13.byHand')],
              ]}
            />
          ))
        ) : (
          <p className="muted">{t('lti13.noPlatform')}</p>
        )}
      </div>
    </Card>
  );
}
