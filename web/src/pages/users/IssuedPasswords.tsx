import { useTranslation } from 'react-i18next';
import { CopyField } from '../../components/CopyField.js';
import { Dialog } from '../../components/Dialog.js';

/** A password Lectern made for someone, shown once. */
export interface IssuedPassword {
  login: string;
  password: string;
}

/**
 * Passwords Lectern just made, shown this once: they are stored only as hashes, so closing the
 * dialog is the last chance to copy them. Closing needs the button, not a stray Escape.
 */
export function IssuedPasswordsDialog({ passwords, onClose }: { passwords: IssuedPassword[]; onClose: () => void }) {
  const { t } = useTranslation('users');
  const count = passwords.length;
  return (
    <Dialog
      open={passwords.length > 0}
      title={t('issued.title', { count })}
      onClose={onClose}
      dismissable={false}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose} data-autofocus>
          {t('issued.copied', { count })}
        </button>
      }
    >
      <p>{t('issued.body', { count })}</p>
      <div className="issued-passwords">
        {passwords.map((p) => (
          <CopyField key={p.login} label={t('issued.passwordFor', { login: p.login })} name={`password-${p.login}`} value={p.password} secret />
        ))}
      </div>
    </Dialog>
  );
}
