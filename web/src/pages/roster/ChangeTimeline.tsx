import { Trans, useTranslation } from 'react-i18next';
import { formatDateTime, triggerLabel } from '../../labels.js';
import { Link } from '../../router.js';
import { actsForWholeCustomer, useUser } from '../../session.js';
import type { HistoryEntry } from '../../types.js';
import { ActionBadge, FieldChangeList } from './parts.js';

/**
 * What roster runs did to one record (a user's or a class's), newest first: when, which run, what,
 * and which fields. The run links to its report for those who may read runs (not an institute admin).
 */
export function ChangeTimeline({ entries, customerId, noun }: { entries: HistoryEntry[]; customerId: string; noun: 'user' | 'class' }) {
  const { t } = useTranslation('roster');
  const linked = actsForWholeCustomer(useUser());
  if (!entries.length) return <p className="muted">{t(`timeline.none.${noun}`)}</p>;
  return (
    <ol className="timeline">
      {entries.map((h, i) => (
        <li key={`${h.runId}:${h.action}:${i}`} className={`timeline-item timeline-${h.action}`}>
          <span className="timeline-dot" aria-hidden="true" />
          <div className="timeline-head">
            <ActionBadge action={h.action} />
            <time dateTime={h.at}>{formatDateTime(h.at)}</time>
            <span className="muted">
              <Trans
                i18nKey="timeline.by"
                t={t}
                values={{ file: h.fileName || t('timeline.aRun'), trigger: triggerLabel(h.trigger) }}
                components={{ 1: linked ? <Link to={`/customers/${customerId}/roster/runs/${h.runId}`} /> : <span /> }}
              />
            </span>
          </div>
          {h.reason ? <p className="timeline-reason">{h.reason}</p> : null}
          {Object.keys(h.fields).length ? <FieldChangeList fields={h.fields} action={h.action} /> : null}
        </li>
      ))}
    </ol>
  );
}
