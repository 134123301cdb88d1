import { useTranslation } from 'react-i18next';
import { Banner } from '../components/Banner.js';
import { useTitle } from '../components/Layout.js';
import { useResource } from '../hooks/useResource.js';
import { Link } from '../router.js';
import { BookGrid } from './BookCards.js';
import type { CollectionView } from './types.js';

/** One collection: the titles in it that you may read. */
export function CollectionPage({ collectionId }: { collectionId: string }) {
  const { t } = useTranslation('shelf');
  const { data, error } = useResource<CollectionView>(`/api/reader/collections/${encodeURIComponent(collectionId)}`);
  useTitle(data?.name ?? t('collectionPageTitle'));
  return (
    <div className="page shelf-page">
      <nav aria-label={t('breadcrumb')} className="crumbs">
        <Link to="/reader">{t('backToShelf')}</Link>
      </nav>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {!data && !error ? <p className="loading">{t('loadingCollection')}</p> : null}
      {data ? (
        <>
          <div className="shelf-header">
            <h1>{data.name}</h1>
            {data.description ? <p className="muted">{data.description}</p> : null}
          </div>
          <BookGrid books={data.books} label={t('collectionBooks', { name: data.name })} />
        </>
      ) : null}
    </div>
  );
}
