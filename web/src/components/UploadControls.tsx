import type { UploadProgress } from '../api.js';
import { formatBytes } from '../labels.js';
import { Link } from '../router.js';
import { ProgressBar } from './ProgressBar.js';

/** The foot of an upload form: the progress bar while sending, Cancel (upload or page) and the submit button. */
export function UploadControls(p: { file: File | null; progress: UploadProgress | null; onCancelUpload: () => void; cancelTo: string; submitLabel: string }) {
  const { file, progress } = p;
  return (
    <>
      {progress ? (
        <ProgressBar
          label={`Uploading ${file?.name ?? 'the file'}`}
          value={progress.loaded}
          max={progress.total || file?.size}
          detail={`${formatBytes(progress.loaded)} of ${formatBytes(progress.total || file?.size || 0)}`}
        />
      ) : null}
      <div className="form-buttons">
        {progress ? (
          <button type="button" className="btn btn-secondary" onClick={p.onCancelUpload}>
            Cancel upload
          </button>
        ) : (
          <Link to={p.cancelTo} className="btn btn-secondary">
            Cancel
          </Link>
        )}
        <button type="submit" className="btn btn-primary" disabled={progress !== null}>
          {progress ? 'Uploading…' : p.submitLabel}
        </button>
      </div>
    </>
  );
}
