/*
 * Routing for the console and the reader, on React Router in its declarative ("library") mode.
 *
 * Why thin adapters instead of the library's names everywhere: every page was written against a
 * small router of our own (Link, navigate, useLocation, Routes with a table of `{path, render}`),
 * and more pages are being written against it. These keep those names and call signatures, so that
 * code compiles unchanged, while the library does the work the hand-written one got wrong: one
 * location store that a redirect may update before or after any component subscribes (a redirect
 * that fired before the page listened left the console blank until a reload), and history.
 *
 * Why the declarative mode and not the data router (createBrowserRouter): Lectern loads data with
 * TanStack Query, not route loaders, and the data router adds about 18 KB gzipped to every page.
 * The one thing it would give us, a `navigate` callable outside components (the session's
 * "signed out: go to sign-in"), `RouterBridge` provides by keeping the router's own navigate.
 */
import { useEffect, type AnchorHTMLAttributes, type ReactNode } from 'react';
import { BrowserRouter, Link as RouterLink, Navigate, useLocation as useRouterLocation, useNavigate, useNavigationType, useParams, useRoutes, type NavigateFunction } from 'react-router';

let routerNavigate: NavigateFunction | null = null;

/** The page's router (the console's or the reader's), around everything that routes or navigates. */
export function Router({ children }: { children: ReactNode }) {
  return (
    // Without transitions a navigation lands in the same render as the session change made with
    // it (sign-in, sign-out): as a transition it renders after, so the old page would redirect first.
    <BrowserRouter useTransitions={false}>
      <RouterBridge />
      {children}
    </BrowserRouter>
  );
}

// Hands the router's navigate to `navigate` below, and starts each new page at the top (Back and
// Forward keep the browser's own scroll restoration).
function RouterBridge() {
  routerNavigate = useNavigate();
  const { pathname } = useRouterLocation();
  const how = useNavigationType();
  useEffect(() => {
    if (how !== 'POP') window.scrollTo(0, 0);
  }, [pathname, how]);
  return null;
}

/** Goes to `to` inside the console without reloading the page. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (!routerNavigate) throw new Error('navigate outside <Router>');
  void routerNavigate(to, { replace: opts.replace ?? false });
}

/** The current location (path and query), re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const { pathname, search } = useRouterLocation();
  return { pathname, search: new URLSearchParams(search) };
}

/** A route: a path pattern such as `/customers/:id` and what to render for it. */
export interface Route {
  path: string;
  render: (params: Record<string, string>) => ReactNode;
}

/** Renders the route matching the current path (the most specific one wins), or `fallback`. */
export function Routes({ routes, fallback }: { routes: Route[]; fallback: ReactNode }) {
  return useRoutes([...routes.map((route) => ({ path: route.path, element: <Rendered render={route.render} /> })), { path: '*', element: fallback }]);
}

function Rendered({ render }: { render: Route['render'] }) {
  const params = useParams() as Record<string, string>;
  return <>{render(params)}</>;
}

/** An in-app link: a real <a href> (so open-in-new-tab works) that navigates without reloading. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return <RouterLink to={to} {...rest} />;
}

/** Replaces the location with `to` as soon as it renders. */
export function Redirect({ to }: { to: string }) {
  return <Navigate to={to} replace />;
}
