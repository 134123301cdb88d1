import { useTranslation } from 'react-i18next';
import { numberFormat } from '../labels.js';

/**
 * A labelled progress bar. With `value` and `max` it shows how far along it is; without them it
 * is indeterminate (a moving stripe), for work whose size is not known.
 */
export function ProgressBar({ label, value, max, detail }: { label: string; value?: number | undefined; max?: number | undefined; detail?: string | undefined }) {
  const { t } = useTranslation('ui');
  const known = value !== undefined && max !== undefined && max > 0;
  const percent = known ? Math.min(100, Math.max(0, Math.round((value / max) * 100))) : undefined;
  const percentText = percent === undefined ? '' : numberFormat({ style: 'percent' }).format(percent / 100);
  return (
    <div className="progress">
      <div className="progress-label">
        <span>{label}</span>
        <span className="progress-detail">{[detail, percentText].filter(Boolean).join(' · ')}</span>
      </div>
      <div
        className={`progress-track ${known ? '' : 'is-indeterminate'}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={known ? 0 : undefined}
        aria-valuemax={known ? 100 : undefined}
        aria-valuenow={percent}
        aria-valuetext={percent === undefined ? t('inProgress') : [percentText, detail].filter(Boolean).join(', ')}
      >
        <div className="progress-fill" style={known ? { width: `${percent}%` } : undefined} />
      </div>
    </div>
  );
}
