import { Trans, useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { SectionCard } from '../../components/Facts.js';
import { useResource } from '../../hooks/useResource.js';
import { Link } from '../../router.js';
import { Cover } from '../content/Cover.js';
import { contentPaths, type Book } from '../content/model.js';

type Readable = Book & { direct?: boolean; viaClasses?: { id: string; title: string }[] };

/**
 * The titles on a class page (assigned to the class) or a user page (what the person may read now:
 * direct assignments and those of the classes they are enrolled in).
 */
export function AssignedTitles({ customerId, target }: { customerId: string; target: { type: 'class' | 'user'; id: string } }) {
  const { t } = useTranslation('users');
  const c = encodeURIComponent(customerId);
  const path = target.type === 'class' ? `/api/customers/${c}/classes/${encodeURIComponent(target.id)}/books` : `/api/customers/${c}/users/${encodeURIComponent(target.id)}/books`;
  const { data, error } = useResource<Readable[]>(path);
  const paths = contentPaths(customerId);
  const columns: Column<Readable>[] = [
    {
      header: t('colTitle'),
      cell: (b) => (
        <span className="title-cell">
          <Cover customerId={customerId} book={b} />
          <Link to={paths.titlePage(b.id)}>{b.title}</Link>
        </span>
      ),
    },
    { header: t('content:author'), cell: (b) => b.author || '—', secondary: true },
    ...(target.type === 'user'
      ? [
          {
            header: t('titles.through'),
            cell: (b: Readable) => (
              <>
                {b.direct ? t('titles.direct') : null}
                {b.viaClasses?.map((k, i) => (
                  <span key={k.id}>
                    {b.direct || i ? ', ' : ''}
                    <Link to={`/customers/${customerId}/classes/${k.id}`}>{k.title || t('titles.aClass')}</Link>
                  </span>
                ))}
              </>
            ),
          },
        ]
      : []),
  ];
  const title = target.type === 'class' ? t('titles.ofClass') : t('titles.ofUser');
  return (
    <SectionCard title={data ? t('countTitle', { title, count: data.length }) : title}>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {data && !data.length ? (
        <p className="muted">
          <Trans i18nKey="titles.noneYet" t={t} components={{ 1: <Link to={paths.page} /> }} />
        </p>
      ) : null}
      {data?.length ? <DataTable caption={title} columns={columns} rows={data} rowKey={(b) => b.id} /> : null}
    </SectionCard>
  );
}
