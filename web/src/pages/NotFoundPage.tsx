import { useTranslation } from 'react-i18next';
import { useTitle } from '../components/Layout.js';
import { Link } from '../router.js';
import { homePath, useUser } from '../session.js';

/** Any console path that is not a page (or not one this user may open). */
export function NotFoundPage() {
  const { t } = useTranslation('ui');
  useTitle(t('notFoundTitle'));
  const user = useUser();
  return (
    <div className="page">
      <div className="card empty-state">
        <h1>{t('notFoundHeading')}</h1>
        <p>{t('notFoundBody')}</p>
        <Link to={homePath(user)} className="btn btn-primary">
          {t('goHome')}
        </Link>
      </div>
    </div>
  );
}
