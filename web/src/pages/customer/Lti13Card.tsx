import { useState } from 'react';
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
          New registration URL
        </button>
      }
    >
      <div className="stack">
        <p className="muted">Paste these into the LMS’s developer key or tool registration (Canvas, Schoology, D2L), or give Moodle the registration URL.</p>
        <CopyField label="Login URL" name="lti.tool.loginUrl" value={tool.loginUrl} />
        <CopyField label="Launch (redirect) URL" name="lti.tool.launchUrl" value={tool.launchUrl} />
        <CopyField label="JWKS URL" name="lti.tool.jwksUrl" value={tool.jwksUrl} />
        {error ? <Banner kind="error">{error}</Banner> : null}
        {minted ? (
          <>
            <CopyField label="Dynamic Registration URL" name="lti.tool.registrationUrl" value={minted.registrationUrl} secret />
            <p className="muted">Works once, until {formatDateTime(minted.expiresAt)}. Lectern does not show it again; earlier links no longer work.</p>
          </>
        ) : null}
        {c.lti.platforms.length ? (
          c.lti.platforms.map((p) => (
            <Facts
              key={p.id}
              items={[
                ['Issuer', <code key="i">{p.issuer}</code>],
                ['Client ID', <code key="c">{p.clientId}</code>],
                ['Deployments', p.deploymentIds.join(', ')],
                ['Registered', p.origin === 'dynamic' ? 'By Dynamic Registration' : 'By hand'],
              ]}
            />
          ))
        ) : (
          <p className="muted">No platform registered yet.</p>
        )}
      </div>
    </Card>
  );
}
