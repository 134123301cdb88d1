import { useTranslation } from 'react-i18next';
import type { UploadProgress } from '../api.js';
import { formatBytes } from '../labels.js';
import { Link } from '../router.js';
import { ProgressBar } from './ProgressBar.js';

/** The foot of an upload form: the progress bar while sending, Cancel (upload or page) and the submit button. */
export function UploadControls(p: { file: File | null; progress: UploadProgress | null; onCancelUpload: () => void; cancelTo: string; submitLabel: string }) {
  const { t } = useTranslation('ui');
  const { file, progress } = p;
  return (
    <>
      {progress ? (
        <ProgressBar
          label={file ? t('uploadingNamed', { name: file.name }) : t('uploadingFile')}
          value={progress.loaded}
          max={progress.total || file?.size}
          detail={t('bytesOf', { loaded: formatBytes(progress.loaded), total: formatBytes(progress.total || file?.size || 0) })}
        />
      ) : null}
      <div className="form-buttons">
        {progress ? (
          <button type="button" className="btn btn-secondary" onClick={p.onCancelUpload}>
            {t('cancelUpload')}
          </button>
        ) : (
          <Link to={p.cancelTo} className="btn btn-secondary">
            {t('cancel')}
          </Link>
        )}
        <button type="submit" className="btn btn-primary" disabled={progress !== null}>
          {progress ? t('uploading') : p.submitLabel}
        </button>
      </div>
    </>
  );
}
