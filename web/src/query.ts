/*
 * Server state for the console and the reader: one TanStack Query cache per page. Every hook that
 * reads the API (useResource, usePagedList, useRun) keys its query by the request path, so two
 * parts of a screen asking for the same thing share one request and one answer.
 */
import { QueryClient } from '@tanstack/react-query';
import { ApiError, onWrite } from './api.js';

/** The page's one query cache. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refused or missing record will not change by asking again; only a dropped connection or
      // a restarting server is worth one quiet retry before the page shows the error.
      retry: (failures, err) => failures < 1 && err instanceof ApiError && (err.status === 0 || err.status >= 500),
      // Forms copy what they load into their own state; a refetch on every focus would only make
      // the lists beside them jump. Writes mark the cache stale instead (below).
      refetchOnWindowFocus: false,
    },
  },
});

// Any write may change what any open view shows (a restored user is in the list, a class gains a
// title, a run is approved), and pages write through api.ts from many places. So every successful
// write marks the whole cache stale: the views on screen refetch at once, the others on their next visit.
onWrite(() => void queryClient.invalidateQueries());
