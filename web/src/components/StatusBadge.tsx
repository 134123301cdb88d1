/** A coloured pill for a record's status (active, disabled, deleted…); `label` overrides the words. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span className={`badge badge-${status}`}>{label ?? status.charAt(0).toUpperCase() + status.slice(1)}</span>;
}
