import { StatusBadge } from '../../components/StatusBadge.js';

const LABELS: Record<string, string> = { here: 'Password set here', roster: 'From roster', none: 'No password' };

/** Where a user's password comes from: set here (wins until the roster's changes), the roster's, or none. */
export function PasswordBadge({ source }: { source: string }) {
  return <StatusBadge status={`password-${source}`} label={LABELS[source] ?? source} />;
}
