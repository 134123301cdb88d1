/*
 * Who is signed in. The session itself is an HttpOnly cookie the console cannot read; this context
 * holds the user and hands the CSRF token to api.ts. The console and the reader share it, each with
 * its own sign-in page.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, api, client, onSessionExpired, setCsrfToken, unwrap } from './api.js';
import { queryClient } from './query.js';
import { navigate } from './router.js';
import type { Me, SessionInfo } from './types.js';

interface SessionState {
  /** The signed-in user; null when signed out; undefined while the first check runs. */
  user: Me | null | undefined;
  signIn(login: string, password: string): Promise<Me>;
  signOut(): Promise<void>;
  /** Re-reads the session, e.g. after a password change clears mustChangePassword. */
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** Loads the current session once and keeps it for the whole app; `loginPath` is where a lost session goes. */
export function SessionProvider({ children, loginPath = '/login' }: { children: ReactNode; loginPath?: string }) {
  const [user, setUser] = useState<Me | null | undefined>(undefined);
  const shownUserId = useRef<string | undefined>(undefined);

  const accept = useCallback((info: SessionInfo | null) => {
    setCsrfToken(info?.csrfToken ?? null);
    // What one user loaded must never show to the next one signing in on this page.
    if (info?.user.id !== shownUserId.current) queryClient.clear();
    shownUserId.current = info?.user.id;
    setUser(info?.user ?? null);
  }, []);

  const refresh = useCallback(async () => {
    try {
      accept(await api.get<SessionInfo>('/api/auth/session'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) accept(null);
      else throw err;
    }
  }, [accept]);

  useEffect(() => {
    refresh().catch(() => accept(null));
    onSessionExpired(() => {
      accept(null);
      const here = window.location.pathname + window.location.search;
      navigate(`${loginPath}?next=${encodeURIComponent(here)}`, { replace: true });
    });
  }, [refresh, accept, loginPath]);

  const value = useMemo<SessionState>(
    () => ({
      user,
      refresh,
      signIn: async (login, password) => {
        const info = await api.post<SessionInfo>('/api/auth/login', { login, password });
        accept(info);
        return info.user;
      },
      signOut: async () => {
        try {
          await unwrap(client.POST('/api/auth/logout'));
        } finally {
          accept(null);
          navigate(loginPath, { replace: true });
        }
      },
    }),
    [user, refresh, accept, loginPath],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session state; only inside SessionProvider. */
export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user, for pages that render only when someone is signed in. */
export function useUser(): Me {
  const { user } = useSession();
  if (!user) throw new Error('useUser without a signed-in user');
  return user;
}

/** Where a user starts: enterprise admins on Customers, customer staff on their Users page, readers in the reader. */
export function homePath(user: Me): string {
  if (user.role === 'enterprise_admin') return '/customers';
  if (isReaderRole(user)) return '/reader';
  if (user.customerId) return `/customers/${user.customerId}/users`;
  return '/account';
}

/** Teachers, students and readers read; the console is not theirs. */
export function isReaderRole(user: Me): boolean {
  return user.role === 'teacher' || user.role === 'student' || user.role === 'reader';
}

/**
 * Whether the user may use the whole customer's areas (roster runs and uploads, notifications, the
 * customer's settings): everyone in the console but an institute admin, who acts for their own
 * schools (src/accounts/policy.ts, assertWholeCustomerAccess).
 */
export function actsForWholeCustomer(user: Me): boolean {
  return user.role !== 'institute_admin';
}

/**
 * Whether the user may act on a person (password, edit, disable, erase): never on their own account
 * (that is the account page's), and an institute admin on teachers and students only
 * (src/directory/people-service.ts).
 */
export function mayActOnPerson(user: Me, person: { id: string; role: string }): boolean {
  if (person.id === user.id) return false;
  return user.role !== 'institute_admin' || person.role === 'teacher' || person.role === 'student';
}

/** True for those who manage every customer. */
export function isEnterpriseAdmin(user: Me): boolean {
  return user.role === 'enterprise_admin';
}
