import type { ReactNode } from 'react';
import { AUTHORIZATION_OPTIONS, MATCH_WITH_OPTIONS, PERIOD_OPTIONS, SYNC_TYPE_OPTIONS, formatDateTime, formatInZone, labelOf, runStatusLabel } from '../../labels.js';
import { Facts, SectionCard as Card } from '../../components/Facts.js';
import type { Customer, RosterRun } from '../../types.js';
import { Lti13Card } from './Lti13Card.js';

/** The customer's settings at a glance; secrets appear only as "Set" or "Not set". */
export function CustomerSummary({ customer: c, onRotate, onMinted }: { customer: Customer; onRotate: () => void; onMinted?: () => void }) {
  const r = c.rostering;
  const oneRoster = r.type === 'oneroster';
  const address = [c.address.line1, c.address.line2, [c.address.city, c.address.region, c.address.postalCode].filter(Boolean).join(' '), c.address.country].filter(Boolean);
  return (
    <div className="summary-grid">
      <Card className="summary-card" title="Administrator">
        <Facts
          items={[
            ['Name', `${c.administrator.firstName} ${c.administrator.lastName}`],
            ['Email', c.administrator.email],
            ['Phone', c.administrator.phone || '—'],
          ]}
        />
      </Card>
      <Card className="summary-card" title="Address">
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
              Rotate secret
            </button>
          }
        >
          <Facts
            items={[
              ['Consumer key', <code key="k">{c.lti.consumerKey}</code>],
              ['Shared secret', <SetFlag key="s" set={c.lti.sharedSecretSet} />],
              ['Launch URL', <code key="u">{c.lti.launchUrl}</code>],
            ]}
          />
        </Card>
      ) : null}
      <Lti13Card customer={c} onMinted={onMinted} />
      <Card className="summary-card" title="Rostering">
        {oneRoster ? (
          <Facts
            items={[
              ['Type', `OneRoster ${r.oneRosterVersion ?? ''}`],
              ['Sync Type', labelOf(SYNC_TYPE_OPTIONS, r.syncType)],
              ['Match with', labelOf(MATCH_WITH_OPTIONS, r.matchWith)],
              ['Sync Frequency', r.syncFrequency === 'auto' ? `Auto · ${labelOf(PERIOD_OPTIONS, r.period)}` : 'Manual'],
              ...(r.nextRunAt ? [['Next run', formatInZone(r.nextRunAt, c.profile.timeZone)] as [string, ReactNode]] : []),
              [
                'Last sync',
                r.lastRun
                  ? `${runStatusLabel({ status: r.lastRun.status as RosterRun['status'], dryRun: false })} · ${formatDateTime(r.lastRun.finishedAt ?? r.lastRun.createdAt)}${r.stale ? ' · stale feed: no successful sync for two periods' : ''}`
                  : r.stale
                    ? 'Never · stale feed: no successful sync for two periods'
                    : 'Never',
              ],
              ['Suffix', r.suffix || '—'],
              ['Client Partner ID', r.clientPartnerId || '—'],
              ...(r.syncType === 'sftp'
                ? ([
                    ['SFTP', <code key="h">{`${r.sftp.username}@${r.sftp.host}:${r.sftp.port ?? 22}${r.sftp.path}/${r.sftp.fileName}`}</code>],
                    ['SFTP password', <SetFlag key="p" set={r.sftp.passwordSet} />],
                  ] as [string, ReactNode][])
                : []),
              ...(r.syncType === 'api'
                ? ([
                    ['URL', <code key="u">{r.url}</code>],
                    ['Authorization', labelOf(AUTHORIZATION_OPTIONS, r.authorization)],
                    ['Consumer Key', r.consumerKey],
                    ['Secret Key', <SetFlag key="s" set={r.secretKeySet} />],
                  ] as [string, ReactNode][])
                : []),
            ]}
          />
        ) : (
          <p className="muted">No rostering: users are added by hand or arrive by LTI launch.</p>
        )}
      </Card>
      <p className="muted summary-meta">
        Added {formatDateTime(c.createdAt)} · last changed {formatDateTime(c.updatedAt)}
      </p>
    </div>
  );
}

function SetFlag({ set }: { set: boolean }) {
  return set ? <span className="badge badge-active">Set</span> : <span className="badge badge-disabled">Not set</span>;
}
