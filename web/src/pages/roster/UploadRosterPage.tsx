import type { TFunction } from 'i18next';
import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { FileDrop } from '../../components/FileDrop.js';
import { CheckboxField } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { UploadControls } from '../../components/UploadControls.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { fileProblem, useFileUpload } from '../../hooks/useFileUpload.js';
import { MATCH_WITH_OPTIONS, labelOf } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import type { RosterRun } from '../../types.js';

/** Whether `file` looks like a zip (by name, since browsers label zips inconsistently) within the server's size limit. */
function zipProblem(t: TFunction<'roster'>, file: File, maxBytes: number | undefined): string | null {
  if (!/\.zip$/i.test(file.name)) return t('upload.notZip', { name: file.name });
  return fileProblem(file, maxBytes);
}

/**
 * Users → Upload Roster File: pick or drop a OneRoster zip, optionally as a Preview, watch it
 * upload, then follow the run on its own page (which shows live progress and the report).
 */
export function UploadRosterPage({ customerId }: { customerId: string }) {
  const { t } = useTranslation('roster');
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  const [preview, setPreview] = useState(false);
  const [force, setForce] = useState(false);
  const maxBytes = useResource<{ maxBundleBytes: number }>('/api/meta/limits').data?.maxBundleBytes;
  const sender = useFileUpload<RosterRun>({ check: (f) => zipProblem(t, f, maxBytes), missing: t('upload.missing') });
  useTitle(t('users:uploadRoster'));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const fields: Record<string, string> = {};
    if (preview) fields.dryRun = 'true';
    if (force) fields.force = 'true';
    const run = await sender.send(`/api/customers/${encodeURIComponent(customerId)}/roster/uploads`, fields);
    if (run) navigate(`/customers/${customerId}/roster/runs/${run.runId}`);
  };

  const r = customer?.rostering;
  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title={t('users:uploadRoster')} subtitle={customer ? t('upload.subtitleNamed', { name: customer.profile.name }) : t('upload.subtitle')} />
      <div className="upload-layout">
        <form className="card stack" onSubmit={submit} noValidate aria-labelledby="upload-title">
          <h2 id="upload-title">{t('upload.file')}</h2>
          {sender.failure ? <Banner kind="error">{sender.failure}</Banner> : null}
          <FileDrop
            name="file"
            label={t('upload.bundle')}
            accept=".zip,application/zip,application/x-zip-compressed"
            hint={t('upload.bundleHint')}
            file={sender.file}
            onFile={sender.choose}
            error={sender.fileError}
            disabled={sender.uploading}
          />
          <CheckboxField name="dryRun" label={t('previewTag')} checked={preview} onChange={setPreview} hint={t('upload.previewHint')}>
            <Trans i18nKey="upload.previewOnly" t={t} components={{ 1: <strong /> }} />
          </CheckboxField>
          <CheckboxField name="force" label={t('upload.readAgain')} checked={force} onChange={setForce} hint={t('upload.readAgainHint')}>
            <strong>{t('upload.readAgainLabel')}</strong>
          </CheckboxField>
          <UploadControls
            file={sender.file}
            progress={sender.progress}
            onCancelUpload={sender.cancel}
            cancelTo={`/customers/${customerId}/users`}
            submitLabel={preview ? t('upload.submitPreview') : t('upload.submit')}
          />
        </form>
        <aside className="card upload-aside" aria-labelledby="upload-help-title">
          <h2 id="upload-help-title">{t('content:whatHappens')}</h2>
          <ol className="help-steps">
            <li>{t('upload.step1')}</li>
            <li>
              <Trans
                i18nKey={r?.suffix ? 'upload.matchedSuffix' : 'upload.matched'}
                t={t}
                values={{ rule: r ? labelOf(MATCH_WITH_OPTIONS, r.matchWith) : t('upload.matchSetting'), suffix: r?.suffix }}
                components={{ 1: <strong />, 2: <code /> }}
              />
            </li>
            <li>{t('upload.step3')}</li>
            <li>{t('upload.step4')}</li>
          </ol>
          <p className="muted small">
            <Trans i18nKey="upload.pastUploads" t={t} components={{ 1: <Link to={`/customers/${customerId}/roster/runs`} /> }} />
          </p>
        </aside>
      </div>
    </div>
  );
}
