import { keepPreviousData, useQuery } from '@tanstack/react-query';
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

const TYPING_PAUSE_MS = 250;

/**
 * One page of a list endpoint for the current query, waiting briefly after typing so a search does
 * not fire on every key. The page on screen stays while the next one loads (`loading` says so).
 */
export function usePagedList<T, P extends Page<T> = Page<T>>(path: string, pageSize: number, opts: PagedListOptions = {}) {
  const [query, setQuery] = useState<ListQuery>({ search: '', page: 1, filters: opts.initialFilters ?? {} });
  const typed = Boolean(query.search || opts.typedFilters?.some((k) => query.filters[k]));
  const asked = useSettled(query, typed ? TYPING_PAUSE_MS : 0);
  const params = { ...asked.filters, search: asked.search.trim(), page: asked.page, pageSize };
  const list = useQuery({ queryKey: [path, params], queryFn: () => api.get<P>(path, params), placeholderData: keepPreviousData });
  const { refetch } = list;

  return {
    query,
    data: list.data ?? null,
    error: list.error ? messageOf(list.error) : null,
    loading: list.isFetching || asked !== query,
    /** Changes the search text and goes back to the first page. */
    setSearch: useCallback((search: string) => setQuery((q) => ({ ...q, search, page: 1 })), []),
    /** Changes one filter and goes back to the first page. */
    setFilter: useCallback((key: string, value: string) => setQuery((q) => ({ ...q, filters: { ...q.filters, [key]: value }, page: 1 })), []),
    /** Changes several filters at once and goes back to the first page. */
    setFilters: useCallback((changes: Record<string, string>) => setQuery((q) => ({ ...q, filters: { ...q.filters, ...changes }, page: 1 })), []),
    setPage: useCallback((page: number) => setQuery((q) => ({ ...q, page })), []),
    reload: useCallback(() => void refetch(), [refetch]),
  };
}

// `value`, once it has stood still for `delayMs` (at once when 0).
function useSettled<V>(value: V, delayMs: number): V {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (delayMs === 0) {
      setSettled(value);
      return;
    }
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return delayMs === 0 ? value : settled;
}
