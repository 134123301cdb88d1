import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, upload, type Upload, type UploadProgress } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { FileDrop } from '../../components/FileDrop.js';
import { CheckboxField } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { MATCH_WITH_OPTIONS, formatBytes, labelOf } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import type { RosterRun } from '../../types.js';

/** Whether `file` looks like a zip (by name, since browsers label zips inconsistently) within the server's size limit. */
function zipProblem(file: File, maxBytes: number | undefined): string | null {
  if (!/\.zip$/i.test(file.name)) return `“${file.name}” is not a .zip file. Choose the OneRoster bundle (a .zip of CSV files).`;
  if (file.size === 0) return `“${file.name}” is empty.`;
  // Checked here because a server may cut an over-large upload off mid-stream, which reads as a network error.
  if (maxBytes !== undefined && file.size > maxBytes) return `“${file.name}” is ${formatBytes(file.size)}; the limit is ${formatBytes(maxBytes)}.`;
  return null;
}

/**
 * Users → Upload Roster File: pick or drop a OneRoster zip, optionally as a Preview, watch it
 * upload, then follow the run on its own page (which shows live progress and the report).
 */
export function UploadRosterPage({ customerId }: { customerId: string }) {
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState(false);
  const [force, setForce] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const inFlight = useRef<Upload<RosterRun> | null>(null);
  const maxBytes = useResource<{ maxBundleBytes: number }>('/api/meta/limits').data?.maxBundleBytes;
  useTitle('Upload Roster File');
  // Leaving the page stops an upload that has not finished.
  useEffect(() => () => inFlight.current?.abort(), []);

  const choose = (f: File | null) => {
    setFile(f);
    setFailure(null);
    setFileError(f ? zipProblem(f, maxBytes) : null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    if (!file) {
      setFileError('Choose the roster .zip file to upload.');
      return;
    }
    const problem = zipProblem(file, maxBytes);
    if (problem) {
      setFileError(problem);
      return;
    }
    const body = new FormData();
    if (preview) body.append('dryRun', 'true');
    if (force) body.append('force', 'true');
    body.append('file', file, file.name);
    setProgress({ loaded: 0, total: file.size });
    const sending = upload<RosterRun>(`/api/customers/${encodeURIComponent(customerId)}/roster/uploads`, body, setProgress);
    inFlight.current = sending;
    try {
      const run = await sending.done;
      inFlight.current = null;
      navigate(`/customers/${customerId}/roster/runs/${run.runId}`);
    } catch (err) {
      inFlight.current = null;
      setProgress(null);
      if (err instanceof ApiError && err.code === 'ABORTED') return;
      if (err instanceof ApiError && err.fields.length) setFileError(err.fields.map((f) => f.message).join(' '));
      else if (err instanceof ApiError && err.status === 413) setFileError(`${err.message} (${file.name} is ${formatBytes(file.size)}.)`);
      else if (err instanceof ApiError && err.status === 0)
        setFailure(`${err.message} If the file is very large, it may be over the server’s upload limit.`);
      else setFailure(err instanceof Error ? err.message : 'The upload failed.');
    }
  };

  const uploading = progress !== null;
  const r = customer?.rostering;
  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title="Upload Roster File" subtitle={customer ? `Sync ${customer.profile.name} from a OneRoster bundle (.zip).` : 'Sync users and classes from a OneRoster bundle (.zip).'} />
      <div className="upload-layout">
        <form className="card stack" onSubmit={submit} noValidate aria-labelledby="upload-title">
          <h2 id="upload-title">Roster file</h2>
          {failure ? <Banner kind="error">{failure}</Banner> : null}
          <FileDrop
            name="file"
            label="OneRoster bundle"
            accept=".zip,application/zip,application/x-zip-compressed"
            hint="A .zip with manifest.csv and the CSV files (users.csv, orgs.csv, classes.csv, enrollments.csv…), OneRoster 1.1 or 1.2."
            file={file}
            onFile={choose}
            error={fileError}
            disabled={uploading}
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
          {uploading ? (
            <ProgressBar label={`Uploading ${file?.name ?? 'the file'}`} value={progress.loaded} max={progress.total || file?.size} detail={`${formatBytes(progress.loaded)} of ${formatBytes(progress.total || file?.size || 0)}`} />
          ) : null}
          <div className="form-buttons">
            {uploading ? (
              <button type="button" className="btn btn-secondary" onClick={() => inFlight.current?.abort()}>
                Cancel upload
              </button>
            ) : (
              <Link to={`/customers/${customerId}/users`} className="btn btn-secondary">
                Cancel
              </Link>
            )}
            <button type="submit" className="btn btn-primary" disabled={uploading}>
              {uploading ? 'Uploading…' : preview ? 'Upload and preview' : 'Upload and sync'}
            </button>
          </div>
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
            <li>Users, classes and enrollments missing from a bulk file are deleted, and can be restored during the retention period (30 days unless set otherwise). Accounts the roster did not create are never deleted.</li>
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
