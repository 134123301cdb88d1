/*
 * A small client-side router over the History API: the console has a handful of routes and the
 * server already answers every non-API path with index.html, so a library would add little.
 */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

const NAVIGATE = 'lectern:navigate';

/** Goes to `to` inside the console without reloading the page. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
  window.scrollTo(0, 0);
}

/** The current location (path and query), re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const [href, setHref] = useState(() => window.location.pathname + window.location.search);
  useEffect(() => {
    const update = () => setHref(window.location.pathname + window.location.search);
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams };
}

/** A route: a path pattern such as `/customers/:id` and what to render for it. */
export interface Route {
  path: string;
  render: (params: Record<string, string>) => ReactNode;
}

/** Matches `pathname` against a pattern with `:name` segments; returns the parameters or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const got = pathname.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

/** Renders the first route matching the current path, or `fallback`. */
export function Routes({ routes, fallback }: { routes: Route[]; fallback: ReactNode }) {
  const { pathname } = useLocation();
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return <>{route.render(params)}</>;
  }
  return <>{fallback}</>;
}

/** An in-app link: a real <a href> (so open-in-new-tab works) that navigates without reloading. */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}

/** Replaces the location with `to` as soon as it renders. */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
