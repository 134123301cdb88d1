import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../api.js';
import type { Page } from '../types.js';

/** What a list page asks for: the search text, its filters and the page number. */
export interface ListQuery {
  search: string;
  page: number;
  filters: Record<string, string>;
}

/** How a list endpoint is read, beyond its path and page size. */
export interface PagedListOptions {
  initialFilters?: Record<string, string>;
  /** Filters typed into a text box: like the search, they wait for a pause in typing. */
  typedFilters?: readonly string[];
}

/**
 * Loads one page of a list endpoint whenever the query changes, waiting briefly after typing so
 * a search does not fire on every key. Older answers that arrive late are ignored.
 */
export function usePagedList<T, P extends Page<T> = Page<T>>(path: string, pageSize: number, opts: PagedListOptions = {}) {
  const [query, setQuery] = useState<ListQuery>({ search: '', page: 1, filters: opts.initialFilters ?? {} });
  const [data, setData] = useState<P | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [reloads, setReloads] = useState(0);
  const typed = Boolean(query.search || opts.typedFilters?.some((k) => query.filters[k]));

  useEffect(() => {
    let current = true;
    setLoading(true);
    const timer = setTimeout(
      () => {
        api
          .get<unknown>(path, { ...query.filters, search: query.search.trim(), page: query.page, pageSize })
          .then((answer) => {
            if (!current) return;
            setData(answer as P);
            setError(null);
          })
          .catch((err: unknown) => current && setError(messageOf(err)))
          .finally(() => current && setLoading(false));
      },
      typed ? 250 : 0,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [path, pageSize, query, reloads, typed]);

  return {
    query,
    data,
    error,
    loading,
    /** Changes the search text and goes back to the first page. */
    setSearch: useCallback((search: string) => setQuery((q) => ({ ...q, search, page: 1 })), []),
    /** Changes one filter and goes back to the first page. */
    setFilter: useCallback((key: string, value: string) => setQuery((q) => ({ ...q, filters: { ...q.filters, [key]: value }, page: 1 })), []),
    /** Changes several filters at once and goes back to the first page. */
    setFilters: useCallback((changes: Record<string, string>) => setQuery((q) => ({ ...q, filters: { ...q.filters, ...changes }, page: 1 })), []),
    setPage: useCallback((page: number) => setQuery((q) => ({ ...q, page })), []),
    reload: useCallback(() => setReloads((n) => n + 1), []),
  };
}
