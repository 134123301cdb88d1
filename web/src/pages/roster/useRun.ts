import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { isActiveRun } from '../../labels.js';
import type { RosterRun } from '../../types.js';

const POLL_MS = 700;

/** One run, polled while it is queued or running (and while its passwords are hashed), so its progress is live. */
export function useRun(customerId: string, runId: string) {
  const [run, setRun] = useState<RosterRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const path = `/api/customers/${encodeURIComponent(customerId)}/roster/runs/${encodeURIComponent(runId)}`;
  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    api
      .get<RosterRun>(path)
      .then((r) => {
        if (!current) return;
        setRun(r);
        setError(null);
        // Also while its roster passwords are being hashed, so their progress is live too.
        if (isActiveRun(r) || (r.passwords.pending ?? 0) > 0) timer = setTimeout(() => setTick((n) => n + 1), POLL_MS * (isActiveRun(r) ? 1 : 3));
      })
      .catch((err: unknown) => {
        if (!current) return;
        setError(messageOf(err));
        // A network blip or a restarting server should not end the live view: try again later.
        if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) timer = setTimeout(() => setTick((n) => n + 1), POLL_MS * 4);
      });
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [path, tick]);
  return { run, error, path, replace: useCallback((r: RosterRun) => setRun(r), []) };
}
