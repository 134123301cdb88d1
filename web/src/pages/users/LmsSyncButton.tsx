import type { TFunction } from 'i18next';
import { Trans, useTranslation } from 'react-i18next';
import { client, unwrap } from '../../api.js';
import { useResource } from '../../hooks/useResource.js';
import { actsForWholeCustomer, useUser } from '../../session.js';
import { formatCount } from '../../labels.js';
import type { RosterRun } from '../../types.js';
import { RunProgress } from '../roster/RunProgress.js';
import { SyncPanel } from './SyncPanel.js';

/** The LMS course a class was made from (GET …/classes/:classId/lms-sync). */
interface LmsContext {
  contextId: string;
  title: string;
  issuer: string;
  host: string;
}

/**
 * The Class page's **Sync from LMS** button, shown only for a class made from an LMS course (LTI 1.3,
 * NRPS): pulls the course's members now as a roster run, shows its progress here, then its outcome
 * and the report link. `onSynced` reloads the class when the run ends.
 */
export function LmsSyncButton({ customerId, classId, onSynced }: { customerId: string; classId: string; onSynced: () => void }) {
  const { t } = useTranslation('users');
  const path = `/api/customers/${encodeURIComponent(customerId)}/classes/${encodeURIComponent(classId)}/lms-sync`;
  // Sync from LMS is a roster run, the whole customer's: an institute admin is not offered it.
  const lms = useResource<{ context: LmsContext | null }>(actsForWholeCustomer(useUser()) ? path : null);
  const context = lms.data?.context;
  if (!context) return null;
  return (
    <SyncPanel
      customerId={customerId}
      ariaLabel={t('lms.ariaLabel')}
      description={<Trans i18nKey="lms.description" t={t} values={{ course: context.title || context.contextId, host: context.host }} components={{ 1: <strong /> }} />}
      label={t('lms.label')}
      start={async () => ({ runId: (await unwrap(client.POST('/api/customers/{id}/classes/{classId}/lms-sync', { params: { path: { id: customerId, classId } } }))).runId })}
      progress={(run) => (run ? <RunProgress run={run} /> : <p className="loading">{t('lms.starting')}</p>)}
      outcome={(run) => lmsOutcome(t, run)}
      onFinished={onSynced}
    />
  );
}

/** What a finished LMS pull did to the class. */
function lmsOutcome(t: TFunction<'users'>, run: RosterRun): string {
  const e = run.counts.enrollments;
  if (run.status === 'awaiting_approval') return t('lms.heldEnrollments', { reason: run.holdReason });
  return t('lms.done', { users: formatCount(run.counts.users?.created ?? 0), added: formatCount(e?.created ?? 0), ended: formatCount(e?.deleted ?? 0) });
}
