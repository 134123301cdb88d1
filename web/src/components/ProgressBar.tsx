/**
 * A labelled progress bar. With `value` and `max` it shows how far along it is; without them it
 * is indeterminate (a moving stripe), for work whose size is not known.
 */
export function ProgressBar({ label, value, max, detail }: { label: string; value?: number | undefined; max?: number | undefined; detail?: string | undefined }) {
  const known = value !== undefined && max !== undefined && max > 0;
  const percent = known ? Math.min(100, Math.max(0, Math.round((value / max) * 100))) : undefined;
  return (
    <div className="progress">
      <div className="progress-label">
        <span>{label}</span>
        <span className="progress-detail">{[detail, percent === undefined ? '' : `${percent}%`].filter(Boolean).join(' · ')}</span>
      </div>
      <div
        className={`progress-track ${known ? '' : 'is-indeterminate'}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={known ? 0 : undefined}
        aria-valuemax={known ? 100 : undefined}
        aria-valuenow={percent}
        aria-valuetext={percent === undefined ? 'In progress' : `${percent}%${detail ? `, ${detail}` : ''}`}
      >
        <div className="progress-fill" style={known ? { width: `${percent}%` } : undefined} />
      </div>
    </div>
  );
}
