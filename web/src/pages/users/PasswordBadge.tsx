import { useTranslation } from 'react-i18next';
import { StatusBadge } from '../../components/StatusBadge.js';

/** Where a user's password comes from: set here (wins until the roster's changes), the roster's, or none. */
export function PasswordBadge({ source }: { source: string }) {
  const { t, i18n } = useTranslation('users');
  return <StatusBadge status={`password-${source}`} label={i18n.exists(`users:passwordSource.${source}`) ? t(`passwordSource.${source}`) : source} />;
}
