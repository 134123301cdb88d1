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
          <Banner kind="warning" title="Store the shared secret now">
            This is the only time Lectern shows it. Copy it into the customer’s LMS or a password manager before you close this window. If it is lost, rotate it from the customer page.
          </Banner>
          <dl className="inline-facts">
            <dt>LTI version</dt>
            <dd>{credentials.version}</dd>
          </dl>
          <CopyField label="Consumer key" name="lti.consumerKey" value={credentials.consumerKey} />
          <CopyField label="Shared secret" name="lti.sharedSecret" value={credentials.sharedSecret} secret />
          <CopyField label="Launch URL" name="lti.launchUrl" value={credentials.launchUrl} />
          {credentials.tool ? (
            <>
              <h3>LTI 1.3</h3>
              <CopyField label="LTI 1.3 login URL" name="lti.tool.loginUrl" value={credentials.tool.loginUrl} />
              <CopyField label="LTI 1.3 launch (redirect) URL" name="lti.tool.launchUrl" value={credentials.tool.launchUrl} />
              <CopyField label="LTI 1.3 JWKS URL" name="lti.tool.jwksUrl" value={credentials.tool.jwksUrl} />
              {credentials.tool.registrationUrl ? <CopyField label="Dynamic Registration URL (works once)" name="lti.tool.registrationUrl" value={credentials.tool.registrationUrl} secret /> : null}
            </>
          ) : null}
        </div>
      ) : null}
    </Dialog>
  );
}
