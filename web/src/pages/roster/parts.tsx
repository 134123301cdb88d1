/*
 * Small pieces every roster view shares: a run's status badge, a plan action badge, and a list of
 * changed fields shown old → new.
 */
import { useTranslation } from 'react-i18next';
import { StatusBadge } from '../../components/StatusBadge.js';
import { ACTION_OPTIONS, runStatusLabel } from '../../labels.js';
import type { FieldChanges, PlanAction, RosterRun } from '../../types.js';

/** A run's status as a badge; a finished preview reads "Preview ready". */
export function RunStatusBadge({ run }: { run: Pick<RosterRun, 'status' | 'dryRun'> }) {
  const finishedPreview = run.dryRun && (run.status === 'succeeded' || run.status === 'succeeded_with_warnings');
  return <StatusBadge status={finishedPreview ? 'preview' : run.status} label={runStatusLabel(run)} />;
}

/** A plan action as a badge: "Delete" in a plan, "Deleted" once done. */
export function ActionBadge({ action, planned }: { action: PlanAction | string; planned?: boolean }) {
  const { t } = useTranslation('roster');
  const known = ACTION_OPTIONS.find((a) => a.value === action);
  const label = known ? (planned ? t(`plan.planAction.${known.value}`) : known.past) : action;
  return <StatusBadge status={`action-${action}`} label={label} />;
}

/** A field value as text: lists joined, empty shown as a dash. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(formatValue).join(', ') : '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value as string | number | boolean);
}

/** Changed fields, each as "field: old → new"; a create lists only the new values. */
export function FieldChangeList({ fields, action }: { fields: FieldChanges; action?: string }) {
  const { t } = useTranslation('roster');
  const entries = Object.entries(fields);
  if (!entries.length) return <span className="muted">—</span>;
  return (
    <ul className="field-changes">
      {entries.map(([field, pair]) => {
        const [before, after] = pair;
        return (
          <li key={field}>
            <span className="field-name">{field}</span>{' '}
            {action === 'create' ? null : (
              <>
                <del className="old-value" aria-label={t('plan.was', { value: formatValue(before) })}>
                  {formatValue(before)}
                </del>{' '}
                <span aria-hidden="true" className="arrow">
                  →
                </span>{' '}
              </>
            )}
            <ins className="new-value" aria-label={action === 'create' ? formatValue(after) : t('plan.now', { value: formatValue(after) })}>
              {formatValue(after)}
            </ins>
          </li>
        );
      })}
    </ul>
  );
}
