/** A coloured pill for a record's status (active, disabled, deleted…). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status.charAt(0).toUpperCase() + status.slice(1)}</span>;
}
