import { useCallback, useEffect, useRef } from 'react';
import { api, currentCsrfToken } from '../api.js';
import type { ReadingPosition } from './types.js';

const DELAY_MS = 800;

/**
 * Saves the reading position to the server, debounced: paging quickly sends one request, not
 * one per page. What is still waiting is sent when the page is hidden or left (with fetch
 * keepalive, which outlives the page), so another device opens where this one stopped.
 */
export function useProgressSaver(bookId: string, onSaved: (saved: ReadingPosition) => void) {
  const pending = useRef<ReadingPosition | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const savedCallback = useRef(onSaved);
  savedCallback.current = onSaved;
  const url = `/api/reader/books/${encodeURIComponent(bookId)}/progress`;

  const send = useCallback(async () => {
    window.clearTimeout(timer.current);
    const body = pending.current;
    pending.current = null;
    if (!body) return;
    try {
      await api.put(url, body);
      savedCallback.current(body);
    } catch {
      // Keep the newest position for the next try unless a newer one arrived meanwhile.
      pending.current ??= body;
    }
  }, [url]);

  useEffect(() => {
    const flushOnLeave = (e: Event) => {
      const body = pending.current;
      if (!body || (e.type === 'visibilitychange' && document.visibilityState === 'visible')) return;
      pending.current = null;
      window.clearTimeout(timer.current);
      const csrf = currentCsrfToken();
      void fetch(url, {
        method: 'PUT',
        keepalive: true,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
        body: JSON.stringify(body),
      });
    };
    document.addEventListener('visibilitychange', flushOnLeave);
    window.addEventListener('pagehide', flushOnLeave);
    return () => {
      document.removeEventListener('visibilitychange', flushOnLeave);
      window.removeEventListener('pagehide', flushOnLeave);
      // Leaving the book inside the reader (back to the shelf): save now.
      void send();
    };
  }, [url, send]);

  return useCallback(
    (position: ReadingPosition) => {
      pending.current = position;
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void send(), DELAY_MS);
    },
    [send],
  );
}
