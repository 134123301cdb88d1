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
  const c = encodeURIComponent(customerId);
  const path = target.type === 'class' ? `/api/customers/${c}/classes/${encodeURIComponent(target.id)}/books` : `/api/customers/${c}/users/${encodeURIComponent(target.id)}/books`;
  const { data, error } = useResource<Readable[]>(path);
  const paths = contentPaths(customerId);
  const columns: Column<Readable>[] = [
    {
      header: 'Title',
      cell: (b) => (
        <span className="title-cell">
          <Cover customerId={customerId} book={b} />
          <Link to={paths.titlePage(b.id)}>{b.title}</Link>
        </span>
      ),
    },
    { header: 'Author', cell: (b) => b.author || '—', secondary: true },
    ...(target.type === 'user'
      ? [
          {
            header: 'Through',
            cell: (b: Readable) => (
              <>
                {b.direct ? 'Assigned directly' : null}
                {b.viaClasses?.map((k, i) => (
                  <span key={k.id}>
                    {b.direct || i ? ', ' : ''}
                    <Link to={`/customers/${customerId}/classes/${k.id}`}>{k.title || 'a class'}</Link>
                  </span>
                ))}
              </>
            ),
          },
        ]
      : []),
  ];
  const title = target.type === 'class' ? 'Titles assigned to this class' : 'Titles this person can read';
  return (
    <SectionCard title={data ? `${title} (${data.length})` : title}>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {data && !data.length ? (
        <p className="muted">
          None yet. Titles are assigned under <Link to={paths.page}>Content</Link>.
        </p>
      ) : null}
      {data?.length ? <DataTable caption={title} columns={columns} rows={data} rowKey={(b) => b.id} /> : null}
    </SectionCard>
  );
}
