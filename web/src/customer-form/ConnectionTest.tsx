import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { ApiError, client, messageOf, unwrap } from '../api.js';
import { Banner } from '../components/Banner.js';
import type { ConnectionReport } from '../../../src/rostering/sources/connection-check.js';
import { rosteringBody, type FormValues } from './model.js';

const MARKS = { ok: '✓', failed: '✗', skipped: '–' } as const;

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
  const { t } = useTranslation('customerForm');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sftp = values['rostering.syncType'] === 'sftp';

  const run = async () => {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      const body = { rostering: rosteringBody(values) };
      const answer = await unwrap(
        customerId ? client.POST('/api/customers/{id}/test-connection', { params: { path: { id: customerId } }, body }) : client.POST('/api/customers/test-connection', { body }),
      );
      // The schema types a step's name as text; the server's own type names the steps.
      setReport(answer as ConnectionReport);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) byField[f.field] ??= f.message;
        onFieldErrors(byField);
        setError(t('testFixFields'));
      } else setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const failed = report?.steps.find((s) => s.status === 'failed');
  const key = report?.hostKey;
  const summary = report ? (report.ok ? t('testWorks') : t('testFailed', { step: failed ? t(`stepName.${failed.step}`) : t('testStepFailed') })) : '';
  const pinned = key && values['rostering.sftp.hostKeyFingerprint'].trim() === key.fingerprint;
  return (
    <div className="connection-test field-full" data-testid="connection-test">
      <div className="connection-test-actions">
        <button type="button" className="btn btn-secondary" onClick={run} disabled={busy} aria-describedby="connection-test-note">
          {busy ? t('testing') : t('testConnection')}
        </button>
        <span id="connection-test-note" className="field-hint">
          {busy ? t('testingSteps') : sftp ? t('testTriesSftp') : t('testTriesApi')}
        </span>
        <span className="visually-hidden" role="status">
          {busy ? t('testingNow') : report ? summary : ''}
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
                <span className="visually-hidden">{t(`step.${s.status}`)}: </span>
                <strong>{t(`stepName.${s.step}`)}</strong> <span className="check-message">{s.status === 'skipped' ? t('stepSkipped') : s.message}</span>
                {s.step === 'findFile' && report.nearNames.length ? (
                  <span className="near-names">
                    {report.nearNames.map((n) => (
                      <button key={n} type="button" className="btn btn-small btn-secondary" onClick={() => onUseFileName(n)}>
                        {t('useName', { name: n })}
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
                <Trans
                  i18nKey={key.pinned === 'mismatch' ? 'hostKeyNow' : 'hostKeyIs'}
                  t={t}
                  values={{ fingerprint: key.fingerprint }}
                  components={{ 1: <code data-testid="host-key-fingerprint" /> }}
                />
              </p>
              {key.pinned === 'unpinned' ? (
                pinned ? (
                  <p>{t('pinnedInForm')}</p>
                ) : (
                  <>
                    <p className="field-hint">{t('compareFingerprint')}</p>
                    <button type="button" className="btn btn-small btn-primary" onClick={() => onPin(key.fingerprint)}>
                      {t('pinKey')}
                    </button>
                  </>
                )
              ) : (
                <p className="field-hint">{t('keyReplaced')}</p>
              )}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
