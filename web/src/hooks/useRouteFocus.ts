import { useEffect, useRef, type RefObject } from 'react';
import { useLocation } from '../router.js';

/**
 * After an in-app navigation, moves focus to `main` (a tabIndex={-1} landmark) so keyboard and
 * screen-reader users start at the new page's content instead of on <body> or on the link they
 * left behind. Focus a page placed inside `main` on purpose (a tab, an error summary) is left alone,
 * and the first render is left to the browser.
 */
export function useRouteFocus(main: RefObject<HTMLElement | null>): void {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const el = main.current;
    const active = document.activeElement;
    if (!el || (active && active !== el && el.contains(active))) return;
    el.focus({ preventScroll: true });
  }, [pathname, main]);
}
