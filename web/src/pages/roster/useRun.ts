import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { isActiveRun } from '../../labels.js';
import type { RosterRun } from '../../types.js';

const POLL_MS = 700;

/** One run, polled while it is queued or running (and while its passwords are hashed), so its progress is live. */
export function useRun(customerId: string, runId: string) {
  const client = useQueryClient();
  const path = `/api/customers/${encodeURIComponent(customerId)}/roster/runs/${encodeURIComponent(runId)}`;
  const query = useQuery({
    queryKey: [path],
    queryFn: () => api.get<RosterRun>(path),
    refetchInterval: ({ state }) => {
      // A network blip or a restarting server should not end the live view: try again later.
      if (state.error instanceof ApiError && (state.error.status === 0 || state.error.status >= 500)) return POLL_MS * 4;
      const r = state.data;
      if (!r || state.error) return false;
      if (isActiveRun(r)) return POLL_MS;
      // Also while its roster passwords are being hashed, so their progress is live too.
      return (r.passwords.pending ?? 0) > 0 ? POLL_MS * 3 : false;
    },
  });
  return {
    run: query.data ?? null,
    error: query.error ? messageOf(query.error) : null,
    path,
    replace: useCallback((r: RosterRun) => client.setQueryData([path], r), [client, path]),
  };
}
