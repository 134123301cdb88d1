/*
 * Who is reading. The reader shares the console's sign-in API and session cookie, but signs in
 * and out at /reader/login, so it keeps its own small session context.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, api, onSessionExpired, setCsrfToken } from '../api.js';
import { navigate } from '../router.js';
import type { Me, SessionInfo } from '../types.js';

interface ReaderSessionState {
  /** The signed-in user; null when signed out; undefined while the first check runs. */
  user: Me | null | undefined;
  signIn(login: string, password: string): Promise<Me>;
  signOut(): Promise<void>;
}

const ReaderSessionContext = createContext<ReaderSessionState | null>(null);

// Kept for saves sent while the page is closing (fetch keepalive), which cannot go through api.ts.
let readerCsrfToken: string | null = null;

/** The CSRF token of the current session, for a write sent outside api.ts. */
export function currentCsrfToken(): string | null {
  return readerCsrfToken;
}

/** Where signing in sends someone back to: only paths inside the reader. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/reader') && !next.startsWith('/reader/login') ? next : '/reader';
}

/** Loads the current session once and keeps it for the reader. */
export function ReaderSessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Me | null | undefined>(undefined);

  const accept = useCallback((info: SessionInfo | null) => {
    readerCsrfToken = info?.csrfToken ?? null;
    setCsrfToken(readerCsrfToken);
    setUser(info?.user ?? null);
  }, []);

  useEffect(() => {
    api
      .get<SessionInfo>('/api/auth/session')
      .then(accept)
      .catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) console.error(err);
        accept(null);
      });
    onSessionExpired(() => {
      accept(null);
      const here = window.location.pathname + window.location.search;
      navigate(`/reader/login?next=${encodeURIComponent(here)}`, { replace: true });
    });
  }, [accept]);

  const value = useMemo<ReaderSessionState>(
    () => ({
      user,
      signIn: async (login, password) => {
        const info = await api.post<SessionInfo>('/api/auth/login', { login, password });
        accept(info);
        return info.user;
      },
      signOut: async () => {
        try {
          await api.post('/api/auth/logout');
        } finally {
          accept(null);
          navigate('/reader/login', { replace: true });
        }
      },
    }),
    [user, accept],
  );
  return <ReaderSessionContext.Provider value={value}>{children}</ReaderSessionContext.Provider>;
}

/** The reader's session state; only inside ReaderSessionProvider. */
export function useReaderSession(): ReaderSessionState {
  const s = useContext(ReaderSessionContext);
  if (!s) throw new Error('useReaderSession outside ReaderSessionProvider');
  return s;
}

/** The signed-in reader, for pages that render only when someone is signed in. */
export function useReader(): Me {
  const { user } = useReaderSession();
  if (!user) throw new Error('useReader without a signed-in user');
  return user;
}
