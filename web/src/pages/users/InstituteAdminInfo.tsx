import { useTranslation } from 'react-i18next';

/** "What an institute admin may do": the scope rules as the services apply them (accounts/policy.ts: requireAccess, assertWholeCustomerAccess; directory/school-scope.ts) in words. */
export function InstituteAdminInfo() {
  const { t } = useTranslation('users');
  return (
    <aside className="info-panel" aria-labelledby="institute-admin-info">
      <h3 id="institute-admin-info">{t('instituteInfo.title')}</h3>
      <ul>
        <li>{t('instituteInfo.see')}</li>
        <li>{t('instituteInfo.add')}</li>
        <li>{t('instituteInfo.restore')}</li>
        <li>{t('instituteInfo.titles')}</li>
        <li>{t('instituteInfo.not')}</li>
      </ul>
    </aside>
  );
}
