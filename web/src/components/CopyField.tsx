import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** A read-only value with a Copy button, for keys and secrets the user must carry elsewhere. */
export function CopyField({ label, value, name, secret }: { label: string; value: string; name: string; secret?: boolean }) {
  const { t } = useTranslation('ui');
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // Clipboard access can be refused (permissions, insecure origin): select the text instead.
      const input = document.getElementById(id);
      if (input instanceof HTMLInputElement) input.select();
      setCopied('failed');
    }
  };
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} type="text" name={name} readOnly value={value} className={secret ? 'mono secret' : 'mono'} spellCheck={false} />
        <button type="button" className="btn btn-secondary" onClick={copy} aria-label={t('copyNamed', { label })}>
          {copied === 'yes' ? t('copied') : t('copy')}
        </button>
      </div>
      <p className="sr-status" role="status">
        {copied === 'yes' ? t('copiedNamed', { label }) : copied === 'failed' ? t('copyBlocked') : ''}
      </p>
    </div>
  );
}
