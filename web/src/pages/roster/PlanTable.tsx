import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { RadioGroup } from '../../components/fields.js';
import { FilterSelect, ListToolbar } from '../../components/ListToolbar.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { formatLocale } from '../../i18n/index.js';
import { ACTION_OPTIONS, ENTITY_OPTIONS, formatCount } from '../../labels.js';
import { Link } from '../../router.js';
import type { EntityType, PlanAction, PlanChange, RosterRun } from '../../types.js';
import { ActionBadge, FieldChangeList } from './parts.js';

const PAGE_SIZE = 25;

/** How many changes of `action` (and `entity`, or every type) the run's counts promise. */
export function plannedCount(run: RosterRun, action: PlanAction, entity: EntityType | '' = ''): number {
  const key = ACTION_OPTIONS.find((a) => a.value === action)?.count ?? 'created';
  const types = entity ? [entity] : ENTITY_OPTIONS.map((e) => e.value);
  return types.reduce((sum, t) => sum + (run.counts[t]?.[key] ?? 0), 0);
}

/** The first action worth reviewing: deletes before restores, creates and updates. */
export function firstAction(run: RosterRun): PlanAction {
  return ACTION_OPTIONS.find((a) => plannedCount(run, a.value) > 0)?.value ?? 'delete';
}

/**
 * A run's plan (or, once applied, its changes) for one action at a time, deletes first, with the
 * reason for each and the fields that change. `fixedAction` pins the action (the approval screen).
 */
export function PlanTable({ run, runPath, customerId, fixedAction, caption }: { run: RosterRun; runPath: string; customerId: string; fixedAction?: PlanAction; caption?: string }) {
  const { t } = useTranslation('roster');
  // People matter most to a reviewer: a list of deletions opens on users when there are any.
  const initialEntity = fixedAction && plannedCount(run, fixedAction, 'users') > 0 ? 'users' : '';
  const list = usePagedList<PlanChange>(`${runPath}/changes`, PAGE_SIZE, { initialFilters: { action: fixedAction ?? firstAction(run), entity: initialEntity } });
  const action = (list.query.filters.action ?? 'delete') as PlanAction;
  const entity = (list.query.filters.entity ?? '') as EntityType | '';
  // `t` is new after a language switch, so the labels are read again in the new language.
  const actionOptions = useMemo(() => ACTION_OPTIONS.map((a) => ({ value: a.value, label: `${a.label} (${formatCount(plannedCount(run, a.value, entity))})` })), [run, entity, t]);
  const entityOptions = [{ value: '', label: t('plan.allTypes') }, ...ENTITY_OPTIONS.map((e) => ({ value: e.value, label: `${e.label} (${formatCount(plannedCount(run, action, e.value))})` }))];

  const planned = run.dryRun || run.status === 'awaiting_approval';
  const actionLabel = ACTION_OPTIONS.find((a) => a.value === action)?.label ?? t('plan.changes');
  const lower = (s: string) => s.toLocaleLowerCase(formatLocale());
  const items = list.data?.items ?? [];
  // Creates and deletes carry no fields and most lines no reason: leave out columns with nothing in them.
  const anyReason = items.some((c) => c.reason);
  const anyFields = items.some((c) => Object.keys(c.fields).length > 0);
  const columns: Column<PlanChange & { n: number }>[] = [
    { header: t('plan.action'), cell: (c) => <ActionBadge action={c.action} planned={planned} /> },
    { header: t('plan.record'), cell: (c) => <RecordLink change={c} customerId={customerId} /> },
    { header: t('plan.type'), cell: (c) => ENTITY_OPTIONS.find((e) => e.value === c.entity)?.label ?? c.entity, secondary: true },
    ...(anyReason ? [{ header: t('plan.why'), cell: (c: PlanChange) => c.reason || <span className="muted">—</span> }] : []),
    ...(anyFields ? [{ header: t('plan.changedFields'), cell: (c: PlanChange) => <FieldChangeList fields={c.fields} action={c.action} />, className: 'wrap' }] : []),
  ];
  const label = caption ?? t('plan.planned');
  return (
    <div className="stack">
      <ListToolbar label={label}>
        {fixedAction ? null : <RadioGroup name="plan-action" label={t('plan.show')} value={action} onChange={(v) => list.setFilter('action', v)} options={actionOptions} className="segmented" />}
        <FilterSelect name="plan-entity" label={t('plan.recordType')} value={entity} onChange={(v) => list.setFilter('entity', v)} options={entityOptions} />
      </ListToolbar>
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {list.data && list.data.items.length === 0 ? (
        <EmptyState
          title={
            entity ? t('plan.noneOf', { action: lower(actionLabel), entity: lower(ENTITY_OPTIONS.find((e) => e.value === entity)?.label ?? entity) }) : t('plan.none', { action: lower(actionLabel) })
          }
        />
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption={label} columns={columns} rows={list.data.items.map((c, n) => ({ ...c, n }))} rowKey={(c) => `${c.entity}:${c.sourcedId}:${c.n}`} loading={list.loading} />
          <Pager label={label} page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
        </>
      ) : null}
      {!list.data && !list.error ? <p className="loading">{t('plan.loading')}</p> : null}
    </div>
  );
}

// Records are named as people know them, the sourcedId beside; users and classes link to their pages.
function RecordLink({ change: c, customerId }: { change: PlanChange; customerId: string }) {
  const text = (
    <span className="two-line">
      {c.name ? <span className="record-name">{c.name}</span> : null}
      <code className={c.name ? 'muted small' : undefined}>{c.sourcedId}</code>
    </span>
  );
  if (c.targetId && c.entity === 'users') return <Link to={`/customers/${customerId}/users/${c.targetId}`}>{text}</Link>;
  if (c.targetId && c.entity === 'classes') return <Link to={`/customers/${customerId}/classes/${c.targetId}`}>{text}</Link>;
  return text;
}
