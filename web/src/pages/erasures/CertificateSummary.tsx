import { useTranslation } from 'react-i18next';
import { formatCount } from '../../labels.js';
import { certificateUrls, recordTotal, type Certificate } from './model.js';
import './erasures.css';

/** What an erasure just did: its certificate's id and hash, what it counted, and the downloads. */
export function CertificateSummary({ certificate: c }: { certificate: Certificate }) {
  const { t } = useTranslation('erasure');
  const urls = certificateUrls(c);
  // Each count picks its own plural; the numbers are written in the page's language.
  const counted = (key: 'records' | 'files' | 'secrets', n: number) => t(`summary.${key}`, { count: n, n: formatCount(n) });
  return (
    <div className="stack erasure-summary">
      <p>
        {t('summary.erased', {
          records: counted('records', recordTotal(c)),
          files: counted('files', c.counts.files.content + c.counts.files.bundles),
          secrets: counted('secrets', c.counts.secrets),
        })}
      </p>
      <dl className="facts">
        <div>
          <dt>{t('summary.certificate')}</dt>
          <dd>
            <code>{c.id}</code>
          </dd>
        </div>
        <div>
          <dt>{t('summary.manifestHash')}</dt>
          <dd>
            <code className="hash">{c.manifestSha256}</code>
          </dd>
        </div>
      </dl>
      <p className="erasure-downloads">
        <a className="btn btn-secondary btn-small" href={urls.pdf} download>
          {t('summary.downloadPdf')}
        </a>{' '}
        <a className="btn btn-secondary btn-small" href={urls.json} download>
          {t('summary.downloadJson')}
        </a>
      </p>
    </div>
  );
}
