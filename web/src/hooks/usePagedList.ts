import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../api.js';
import type { Page } from '../types.js';

/** What a list page asks for: the search text, its filters and the page number. */
export interface ListQuery {
  search: string;
  page: number;
  filters: Record<string, string>;
}

/**
 * Loads one page of a list endpoint whenever the query changes, waiting briefly after typing so
 * a search does not fire on every key. Older answers that arrive late are ignored.
 */
export function usePagedList<T>(path: string, pageSize: number, initialFilters: Record<string, string> = {}) {
  const [query, setQuery] = useState<ListQuery>({ search: '', page: 1, filters: initialFilters });
  const [data, setData] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const timer = setTimeout(
      () => {
        api
          .get<Page<T>>(path, { ...query.filters, search: query.search.trim(), page: query.page, pageSize })
          .then((page) => {
            if (!current) return;
            setData(page);
            setError(null);
          })
          .catch((err: unknown) => current && setError(messageOf(err)))
          .finally(() => current && setLoading(false));
      },
      query.search ? 250 : 0,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [path, pageSize, query, reloads]);

  return {
    query,
    data,
    error,
    loading,
    /** Changes the search text and goes back to the first page. */
    setSearch: useCallback((search: string) => setQuery((q) => ({ ...q, search, page: 1 })), []),
    /** Changes one filter and goes back to the first page. */
    setFilter: useCallback((key: string, value: string) => setQuery((q) => ({ ...q, filters: { ...q.filters, [key]: value }, page: 1 })), []),
    setPage: useCallback((page: number) => setQuery((q) => ({ ...q, page })), []),
    reload: useCallback(() => setReloads((n) => n + 1), []),
  };
}
