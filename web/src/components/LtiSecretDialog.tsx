import { useTranslation } from 'react-i18next';
import { Banner } from './Banner.js';
import { CopyField } from './CopyField.js';
import { Dialog } from './Dialog.js';
import type { Customer, LtiCredentials } from '../types.js';

/**
 * Shows a customer's LTI 1.1 credentials (and LTI 1.3 tool values) right after they are created or rotated. The shared
 * secret is stored encrypted and never shown again, so the dialog closes only by its button.
 */
export function LtiSecretDialog({
  credentials,
  title,
  onClose,
  closeLabel,
}: {
  credentials: (LtiCredentials & { tool?: Customer['lti']['tool'] }) | null;
  title: string;
  onClose: () => void;
  closeLabel: string;
}) {
  const { t } = useTranslation('customers');
  return (
    <Dialog
      open={credentials !== null}
      title={title}
      onClose={onClose}
      dismissable={false}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          {closeLabel}
        </button>
      }
    >
      {credentials ? (
        <div className="stack">
          <Banner kind="warning" title={t('secretStoreNow')}>
            {t('secretOnlyOnce')}
          </Banner>
          <dl className="inline-facts">
            <dt>{t('ltiVersion')}</dt>
            <dd>{credentials.version}</dd>
          </dl>
          <CopyField label={t('consumerKey')} name="lti.consumerKey" value={credentials.consumerKey} />
          <CopyField label={t('sharedSecret')} name="lti.sharedSecret" value={credentials.sharedSecret} secret />
          <CopyField label={t('launchUrl')} name="lti.launchUrl" value={credentials.launchUrl} />
          {credentials.tool ? (
            <>
              <h3>LTI 1.3</h3>
              <CopyField label={t('lti13LoginUrl')} name="lti.tool.loginUrl" value={credentials.tool.loginUrl} />
              <CopyField label={t('lti13LaunchUrl')} name="lti.tool.launchUrl" value={credentials.tool.launchUrl} />
              <CopyField label={t('lti13JwksUrl')} name="lti.tool.jwksUrl" value={credentials.tool.jwksUrl} />
              {credentials.tool.registrationUrl ? <CopyField label={t('registrationUrl')} name="lti.tool.registrationUrl" value={credentials.tool.registrationUrl} secret /> : null}
            </>
          ) : null}
        </div>
      ) : null}
    </Dialog>
  );
}
