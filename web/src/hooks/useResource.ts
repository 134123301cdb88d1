import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../api.js';

/**
 * GETs one resource when `path` changes (or on reload), ignoring answers that arrive after the
 * page moved on. `path` null waits. `set` lets a page replace the data with an action's answer.
 */
export function useResource<T>(path: string | null) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    if (!path) return;
    let current = true;
    api
      .get<T>(path)
      .then((d) => {
        if (!current) return;
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => current && setError(messageOf(err)));
    return () => {
      current = false;
    };
  }, [path, reloads]);
  return { data, error, set: setData, reload: useCallback(() => setReloads((n) => n + 1), []) };
}
