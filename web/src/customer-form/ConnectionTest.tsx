import { useState } from 'react';
import { ApiError, api, messageOf } from '../api.js';
import { Banner } from '../components/Banner.js';
import type { ConnectionReport } from '../../../src/rostering/sources/connection-check.js';
import { rosteringBody, type FormValues } from './model.js';

const MARKS = { ok: '✓', failed: '✗', skipped: '–' } as const;
const STATUS_WORDS = { ok: 'passed', failed: 'failed', skipped: 'not tried' } as const;

/**
 * Test connection: sends the form's unsaved source settings to the server, which tries each step of
 * a pull (nothing is saved), and lists the steps with their answers. An unpinned SFTP host key can be
 * pinned into the form from here; a near file name can be taken into File name.
 */
export function ConnectionTest({
  values,
  customerId,
  onPin,
  onUseFileName,
  onFieldErrors,
}: {
  values: FormValues;
  /** Edit: the customer whose stored secrets a blank secret field stands for. */
  customerId: string | null;
  onPin: (fingerprint: string) => void;
  onUseFileName: (name: string) => void;
  /** Field errors of the settings (a missing host…), shown beside their fields. */
  onFieldErrors: (errors: Record<string, string>) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sftp = values['rostering.syncType'] === 'sftp';

  const run = async () => {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      const path = customerId ? `/api/customers/${customerId}/test-connection` : '/api/customers/test-connection';
      setReport(await api.post<ConnectionReport>(path, { rostering: rosteringBody(values) }));
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) byField[f.field] ??= f.message;
        onFieldErrors(byField);
        setError('Fix the highlighted fields, then test again.');
      } else setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const failed = report?.steps.find((s) => s.status === 'failed');
  const key = report?.hostKey;
  const summary = report ? (report.ok ? 'Connection works' : `Connection failed: ${failed?.label ?? 'a step failed'}`) : '';
  const pinned = key && values['rostering.sftp.hostKeyFingerprint'].trim() === key.fingerprint;
  return (
    <div className="connection-test field-full" data-testid="connection-test">
      <div className="connection-test-actions">
        <button type="button" className="btn btn-secondary" onClick={run} disabled={busy} aria-describedby="connection-test-note">
          {busy ? 'Testing…' : 'Test connection'}
        </button>
        <span id="connection-test-note" className="field-hint">
          {busy
            ? 'Testing the connection, step by step…'
            : `Tries ${sftp ? 'the server, its host key, the sign-in, Path and File name' : 'the credentials and one page of orgs'} with the values above. Nothing is saved.`}
        </span>
        <span className="visually-hidden" role="status">
          {busy ? 'Testing the connection.' : report ? summary : ''}
        </span>
      </div>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {report ? (
        <div className="connection-report" role="region" aria-labelledby="connection-report-title">
          <h3 id="connection-report-title" className={report.ok ? 'report-ok' : 'report-failed'}>
            {summary}
          </h3>
          <ol className="check-steps">
            {report.steps.map((s) => (
              <li key={s.step} className={`check-step check-${s.status}`}>
                <span className="check-mark" aria-hidden="true">
                  {MARKS[s.status]}
                </span>
                <span className="visually-hidden">{STATUS_WORDS[s.status]}: </span>
                <strong>{s.label}</strong> <span className="check-message">{s.message}</span>
                {s.step === 'findFile' && report.nearNames.length ? (
                  <span className="near-names">
                    {report.nearNames.map((n) => (
                      <button key={n} type="button" className="btn btn-small btn-secondary" onClick={() => onUseFileName(n)}>
                        Use {n}
                      </button>
                    ))}
                  </span>
                ) : null}
              </li>
            ))}
          </ol>
          {key && key.pinned !== 'match' ? (
            <div className="host-key">
              <p>
                {key.pinned === 'mismatch' ? 'The server now shows the host key ' : 'Host key (SHA256 fingerprint): '}
                <code data-testid="host-key-fingerprint">{key.fingerprint}</code>
              </p>
              {key.pinned === 'unpinned' ? (
                pinned ? (
                  <p>Pinned in the form: saving stores it with the customer, and from then on a server showing another key is refused.</p>
                ) : (
                  <>
                    <p className="field-hint">Compare it with the fingerprint the district gives you before you pin it.</p>
                    <button type="button" className="btn btn-small btn-primary" onClick={() => onPin(key.fingerprint)}>
                      Pin this host key
                    </button>
                  </>
                )
              ) : (
                <p className="field-hint">If the district really replaced the server, put its new fingerprint in Pinned host key; otherwise do not connect.</p>
              )}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
