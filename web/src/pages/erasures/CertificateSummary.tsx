import { formatCount } from '../../labels.js';
import { certificateUrls, recordTotal, type Certificate } from './model.js';
import './erasures.css';

/** What an erasure just did: its certificate's id and hash, what it counted, and the downloads. */
export function CertificateSummary({ certificate: c }: { certificate: Certificate }) {
  const urls = certificateUrls(c);
  return (
    <div className="stack erasure-summary">
      <p>
        Erased {formatCount(recordTotal(c))} records, {c.counts.files.content + c.counts.files.bundles} files and {c.counts.secrets} secrets.
      </p>
      <dl className="facts">
        <div>
          <dt>Certificate</dt>
          <dd>
            <code>{c.id}</code>
          </dd>
        </div>
        <div>
          <dt>SHA-256 of the manifest</dt>
          <dd>
            <code className="hash">{c.manifestSha256}</code>
          </dd>
        </div>
      </dl>
      <p className="erasure-downloads">
        <a className="btn btn-secondary btn-small" href={urls.pdf} download>
          Download certificate (PDF)
        </a>{' '}
        <a className="btn btn-secondary btn-small" href={urls.json} download>
          Download certificate (JSON)
        </a>
      </p>
    </div>
  );
}

/** The footer of an erase dialog: Cancel and the danger button until it is done, then one button onward. */
export function EraseDialogFooter({ done, busy, form, action, doneLabel, onClose }: { done: boolean; busy: boolean; form: string; action: string; doneLabel: string; onClose: () => void }) {
  if (done)
    return (
      <button type="button" className="btn btn-primary" onClick={onClose}>
        {doneLabel}
      </button>
    );
  return (
    <>
      <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
        Cancel
      </button>
      <button type="submit" form={form} className="btn btn-danger" disabled={busy}>
        {busy ? 'Erasing…' : action}
      </button>
    </>
  );
}
