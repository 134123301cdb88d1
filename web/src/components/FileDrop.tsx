import { useId, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../labels.js';

/**
 * A drop zone with a Choose file button, for one file. The native file input stays in the page
 * (hidden) so forms and tests can set it; the button opens it, so keyboard users have one stop.
 */
export function FileDrop({
  name,
  label,
  accept,
  hint,
  file,
  onFile,
  error,
  disabled,
  prompt,
}: {
  name: string;
  label: string;
  /** Passed to the file input, e.g. `.zip,application/zip`. */
  accept: string;
  hint?: string;
  file: File | null;
  onFile: (file: File | null) => void;
  error?: string | null | undefined;
  disabled?: boolean;
  /** The drop zone's call to action. */
  prompt?: string;
}) {
  const { t } = useTranslation('ui');
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const pick = () => input.current?.click();
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (disabled) return;
    const dropped = e.dataTransfer.files[0];
    if (dropped) onFile(dropped);
  };
  return (
    <div className="field">
      <span className="field-label" id={`${id}-label`}>
        {label}
      </span>
      <div
        className={`drop-zone ${over ? 'is-over' : ''} ${file ? 'has-file' : ''} ${error ? 'is-invalid' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          if (!disabled) setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <input
          ref={input}
          id={id}
          type="file"
          name={name}
          accept={accept}
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          disabled={disabled}
          onChange={(e) => {
            onFile(e.target.files?.[0] ?? null);
            // Choosing the same file again after removing it must fire a change.
            e.target.value = '';
          }}
        />
        {file ? (
          <div className="drop-file">
            <span className="drop-file-icon" aria-hidden="true">
              {/\.([a-z0-9]{1,4})$/i.exec(file.name)?.[1]?.toUpperCase() ?? 'FILE'}
            </span>
            <div className="drop-file-text">
              <strong>{file.name}</strong>
              <span className="muted">{formatBytes(file.size)}</span>
            </div>
            <div className="drop-file-actions">
              <button type="button" className="btn btn-secondary btn-small" onClick={pick} disabled={disabled} aria-describedby={describedBy}>
                {t('chooseAnother')}
              </button>
              <button type="button" className="btn btn-secondary btn-small" onClick={() => onFile(null)} disabled={disabled} aria-label={t('removeNamed', { name: file.name })}>
                {t('remove')}
              </button>
            </div>
          </div>
        ) : (
          <div className="drop-empty">
            <span className="drop-icon" aria-hidden="true">
              ⇪
            </span>
            <p>
              <strong>{prompt ?? t('dropRoster')}</strong>
            </p>
            <p className="muted">{t('or')}</p>
            <button type="button" className="btn btn-secondary" onClick={pick} disabled={disabled} aria-labelledby={`${id}-label ${id}-choose`} aria-describedby={describedBy}>
              <span id={`${id}-choose`}>{t('chooseFile')}</span>
            </button>
          </div>
        )}
      </div>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      ) : null}
    </div>
  );
}
