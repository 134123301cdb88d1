import { useState, type FormEvent } from 'react';
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
function zipProblem(file: File, maxBytes: number | undefined): string | null {
  if (!/\.zip$/i.test(file.name)) return `“${file.name}” is not a .zip file. Choose the OneRoster bundle (a .zip of CSV files).`;
  return fileProblem(file, maxBytes);
}

/**
 * Users → Upload Roster File: pick or drop a OneRoster zip, optionally as a Preview, watch it
 * upload, then follow the run on its own page (which shows live progress and the report).
 */
export function UploadRosterPage({ customerId }: { customerId: string }) {
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  const [preview, setPreview] = useState(false);
  const [force, setForce] = useState(false);
  const maxBytes = useResource<{ maxBundleBytes: number }>('/api/meta/limits').data?.maxBundleBytes;
  const sender = useFileUpload<RosterRun>({ check: (f) => zipProblem(f, maxBytes), missing: 'Choose the roster .zip file to upload.' });
  useTitle('Upload Roster File');

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
      <PageHeader
        crumbs={crumbs}
        title="Upload Roster File"
        subtitle={customer ? `Sync ${customer.profile.name} from a OneRoster bundle (.zip).` : 'Sync users and classes from a OneRoster bundle (.zip).'}
      />
      <div className="upload-layout">
        <form className="card stack" onSubmit={submit} noValidate aria-labelledby="upload-title">
          <h2 id="upload-title">Roster file</h2>
          {sender.failure ? <Banner kind="error">{sender.failure}</Banner> : null}
          <FileDrop
            name="file"
            label="OneRoster bundle"
            accept=".zip,application/zip,application/x-zip-compressed"
            hint="A .zip with manifest.csv and the CSV files (users.csv, orgs.csv, classes.csv, enrollments.csv…), OneRoster 1.1 or 1.2."
            file={sender.file}
            onFile={sender.choose}
            error={sender.fileError}
            disabled={sender.uploading}
          />
          <CheckboxField name="dryRun" label="Preview" checked={preview} onChange={setPreview} hint="Nothing is created, changed or deleted; you get the full plan and report.">
            <strong>Preview only</strong> — show what would change, apply nothing
          </CheckboxField>
          <CheckboxField
            name="force"
            label="Read again"
            checked={force}
            onChange={setForce}
            hint="A file identical to the last applied one is normally recognised and skipped when nothing has changed since."
          >
            <strong>Read it again even if unchanged</strong>
          </CheckboxField>
          <UploadControls
            file={sender.file}
            progress={sender.progress}
            onCancelUpload={sender.cancel}
            cancelTo={`/customers/${customerId}/users`}
            submitLabel={preview ? 'Upload and preview' : 'Upload and sync'}
          />
        </form>
        <aside className="card upload-aside" aria-labelledby="upload-help-title">
          <h2 id="upload-help-title">What happens</h2>
          <ol className="help-steps">
            <li>The file is checked row by row; rows with errors are skipped and reported, never guessed.</li>
            <li>
              People are matched to existing accounts by <strong>{r ? labelOf(MATCH_WITH_OPTIONS, r.matchWith) : 'the customer’s Match with setting'}</strong>
              {r?.suffix ? (
                <>
                  {' '}
                  with the suffix <code>{r.suffix}</code>
                </>
              ) : null}
              .
            </li>
            <li>
              Users, classes and enrollments missing from a bulk file are deleted, and can be restored during the retention period (30 days unless set otherwise). Accounts the roster did not create
              are never deleted.
            </li>
            <li>If more would be deleted than the customer’s threshold allows, the sync waits for your approval.</li>
          </ol>
          <p className="muted small">
            Past uploads and their reports are in the <Link to={`/customers/${customerId}/roster/runs`}>run history</Link>.
          </p>
        </aside>
      </div>
    </div>
  );
}
