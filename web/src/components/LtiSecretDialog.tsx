import { Banner } from './Banner.js';
import { CopyField } from './CopyField.js';
import { Dialog } from './Dialog.js';
import type { LtiCredentials } from '../types.js';

/**
 * Shows a customer's LTI 1.1 credentials right after they are created or rotated. The shared
 * secret is stored encrypted and never shown again, so the dialog closes only by its button.
 */
export function LtiSecretDialog({ credentials, title, onClose, closeLabel }: { credentials: LtiCredentials | null; title: string; onClose: () => void; closeLabel: string }) {
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
        </div>
      ) : null}
    </Dialog>
  );
}
