import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { AUTHORIZATION_OPTIONS, MATCH_WITH_OPTIONS, PERIOD_OPTIONS, SYNC_TYPE_OPTIONS, formatDateTime, formatInZone, labelOf, runStatusLabel } from '../../labels.js';
import { Facts, SectionCard as Card } from '../../components/Facts.js';
import type { Customer, RosterRun } from '../../types.js';
import { Lti13Card } from './Lti13Card.js';

/** The customer's settings at a glance; secrets appear only as "Set" or "Not set". */
export function CustomerSummary({ customer: c, onRotate, onMinted }: { customer: Customer; onRotate: () => void; onMinted?: () => void }) {
  const { t } = useTranslation('customerPage');
  const r = c.rostering;
  const oneRoster = r.type === 'oneroster';
  const address = [c.address.line1, c.address.line2, [c.address.city, c.address.region, c.address.postalCode].filter(Boolean).join(' '), c.address.country].filter(Boolean);
  return (
    <div className="summary-grid">
      <Card className="summary-card" title={t('summary.administrator')}>
        <Facts
          items={[
            [t('summary.name'), `${c.administrator.firstName} ${c.administrator.lastName}`],
            [t('customerForm:field.administrator.email'), c.administrator.email],
            [t('customerForm:field.administrator.phone'), c.administrator.phone || '—'],
          ]}
        />
      </Card>
      <Card className="summary-card" title={t('summary.address')}>
        <address className="address">
          {address.map((line) => (
            <span key={line}>{line}</span>
          ))}
        </address>
      </Card>
      {c.lti.version !== '1.3' ? (
        <Card
          className="summary-card"
          title="LTI 1.1"
          action={
            <button type="button" className="btn btn-secondary btn-small" onClick={onRotate}>
              {t('rotateSecret')}
            </button>
          }
        >
          <Facts
            items={[
              [t('customers:consumerKey'), <code key="k">{c.lti.consumerKey}</code>],
              [t('customers:sharedSecret'), <SetFlag key="s" set={c.lti.sharedSecretSet} />],
              [t('customers:launchUrl'), <code key="u">{c.lti.launchUrl}</code>],
            ]}
          />
        </Card>
      ) : null}
      <Lti13Card customer={c} onMinted={onMinted} />
      <Card className="summary-card" title={t('summary.rostering')}>
        {oneRoster ? (
          <Facts
            items={[
              [t('summary.type'), `OneRoster ${r.oneRosterVersion ?? ''}`],
              [t('customerForm:field.rostering.syncType'), labelOf(SYNC_TYPE_OPTIONS, r.syncType)],
              [t('customerForm:field.rostering.matchWith'), labelOf(MATCH_WITH_OPTIONS, r.matchWith)],
              [t('customerForm:field.rostering.syncFrequency'), r.syncFrequency === 'auto' ? t('summary.auto', { period: labelOf(PERIOD_OPTIONS, r.period) }) : t('labels:frequency.manual')],
              ...(r.nextRunAt ? [[t('customers:nextRun'), formatInZone(r.nextRunAt, c.profile.timeZone)] as [string, ReactNode]] : []),
              [t('customers:lastSync'), lastSync(r, t)],
              [t('customerForm:field.rostering.suffix'), r.suffix || '—'],
              [t('customerForm:field.rostering.clientPartnerId'), r.clientPartnerId || '—'],
              ...(r.syncType === 'sftp'
                ? ([
                    ['SFTP', <code key="h">{`${r.sftp.username}@${r.sftp.host}:${r.sftp.port ?? 22}${r.sftp.path}/${r.sftp.fileName}`}</code>],
                    [t('summary.sftpPassword'), <SetFlag key="p" set={r.sftp.passwordSet} />],
                  ] as [string, ReactNode][])
                : []),
              ...(r.syncType === 'api'
                ? ([
                    [t('customerForm:field.rostering.url'), <code key="u">{r.url}</code>],
                    [t('customerForm:field.rostering.authorization'), labelOf(AUTHORIZATION_OPTIONS, r.authorization)],
                    [t('customerForm:field.rostering.consumerKey'), r.consumerKey],
                    [t('customerForm:field.rostering.secretKey'), <SetFlag key="s" set={r.secretKeySet} />],
                  ] as [string, ReactNode][])
                : []),
            ]}
          />
        ) : (
          <p className="muted">{t('summary.noRostering')}</p>
        )}
      </Card>
      <p className="muted summary-meta">{t('summary.meta', { created: formatDateTime(c.createdAt), updated: formatDateTime(c.updatedAt) })}</p>
    </div>
  );
}

// The last sync's result and time, or Never; a stale feed says so after it.
function lastSync(r: Customer['rostering'], t: TFunction<'customerPage'>): string {
  const sync = r.lastRun ? `${runStatusLabel({ status: r.lastRun.status as RosterRun['status'], dryRun: false })} · ${formatDateTime(r.lastRun.finishedAt ?? r.lastRun.createdAt)}` : t('ui:never');
  return r.stale ? t('summary.stale', { sync }) : sync;
}

function SetFlag({ set }: { set: boolean }) {
  const { t } = useTranslation('customerPage');
  return set ? <span className="badge badge-active">{t('summary.set')}</span> : <span className="badge badge-disabled">{t('summary.notSet')}</span>;
}
