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
  return (
    <Dialog
      open={passwords.length > 0}
      title={passwords.length === 1 ? 'New password' : `${passwords.length} new passwords`}
      onClose={onClose}
      dismissable={false}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose} data-autofocus>
          I have copied {passwords.length === 1 ? 'it' : 'them'}
        </button>
      }
    >
      <p>Copy {passwords.length === 1 ? 'this password' : 'these passwords'} now: Lectern does not show them again. Each must be changed at the first sign-in.</p>
      <div className="issued-passwords">
        {passwords.map((p) => (
          <CopyField key={p.login} label={`Password for ${p.login}`} name={`password-${p.login}`} value={p.password} secret />
        ))}
      </div>
    </Dialog>
  );
}
