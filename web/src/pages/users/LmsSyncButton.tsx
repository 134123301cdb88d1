import { api } from '../../api.js';
import { useResource } from '../../hooks/useResource.js';
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
  const path = `/api/customers/${encodeURIComponent(customerId)}/classes/${encodeURIComponent(classId)}/lms-sync`;
  const lms = useResource<{ context: LmsContext | null }>(path);
  const context = lms.data?.context;
  if (!context) return null;
  return (
    <SyncPanel
      customerId={customerId}
      ariaLabel="LMS roster sync"
      description={
        <>
          Made from the LMS course <strong>{context.title || context.contextId}</strong> ({context.host}). Pull its members now: new ones are added and enrolled, those who left lose this class.
        </>
      }
      label="Sync from LMS"
      start={async () => ({ runId: (await api.post<{ runId: string }>(path, {})).runId })}
      progress={(run) => (run ? <RunProgress run={run} /> : <p className="loading">Starting the sync…</p>)}
      outcome={lmsOutcome}
      onFinished={onSynced}
    />
  );
}

/** What a finished LMS pull did to the class. */
function lmsOutcome(run: RosterRun): string {
  const e = run.counts.enrollments;
  if (run.status === 'awaiting_approval') return `It would end more enrollments than the customer’s threshold allows, so it waits for approval. ${run.holdReason}`;
  return `Users: ${formatCount(run.counts.users?.created ?? 0)} added. Enrollments: ${formatCount(e?.created ?? 0)} added, ${formatCount(e?.deleted ?? 0)} ended.`;
}
