import { Banner } from '../components/Banner.js';
import { useTitle } from '../components/Layout.js';
import { useResource } from '../hooks/useResource.js';
import { Link } from '../router.js';
import { BookGrid } from './BookCards.js';
import type { CollectionView } from './types.js';

/** One collection: the titles in it that you may read. */
export function CollectionPage({ collectionId }: { collectionId: string }) {
  const { data, error } = useResource<CollectionView>(`/api/reader/collections/${encodeURIComponent(collectionId)}`);
  useTitle(data?.name ?? 'Collection');
  return (
    <div className="page shelf-page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/reader">← Bookshelf</Link>
      </nav>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {!data && !error ? <p className="loading">Loading the collection…</p> : null}
      {data ? (
        <>
          <div className="shelf-header">
            <h1>{data.name}</h1>
            {data.description ? <p className="muted">{data.description}</p> : null}
          </div>
          <BookGrid books={data.books} label={`Books in ${data.name}`} />
        </>
      ) : null}
    </div>
  );
}
