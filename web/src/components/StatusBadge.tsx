import i18next from 'i18next';

/** A coloured pill for a record's status (active, disabled, deleted…); `label` overrides the words. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const words = label ?? (i18next.exists(`labels:status.${status}`) ? i18next.t(`labels:status.${status}`) : status.charAt(0).toUpperCase() + status.slice(1));
  return <span className={`badge badge-${status}`}>{words}</span>;
}
