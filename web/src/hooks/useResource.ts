import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, messageOf } from '../api.js';

/**
 * GETs one resource (cached by `path`, refetched when a write may have changed it). `path` null
 * waits. `set` lets a page replace the data with an action's answer; `reload` asks again.
 */
export function useResource<T>(path: string | null) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: [path], queryFn: () => api.get<T>(path ?? ''), enabled: Boolean(path) });
  const { refetch } = query;
  const set = useCallback(
    (next: T | ((prev: T | null) => T)) => client.setQueryData<T>([path], (prev) => (typeof next === 'function' ? (next as (p: T | null) => T)(prev ?? null) : next)),
    [client, path],
  );
  return {
    data: query.data ?? null,
    error: query.error ? messageOf(query.error) : null,
    set,
    reload: useCallback(() => void refetch(), [refetch]),
  };
}
