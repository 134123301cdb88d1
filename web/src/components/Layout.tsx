import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from '../router.js';
import { homePath, isEnterpriseAdmin, useSession, useUser } from '../session.js';
import { roleLabel } from '../labels.js';
import { useRouteFocus } from '../hooks/useRouteFocus.js';
import { mayReadAudit } from '../pages/audit/access.js';
import { ConsoleLanguageSwitch, useAccountLanguage } from './ConsoleLanguageSwitch.js';

// Titles and collections form the Content area, beside Users.
const isContentPath = (pathname: string) => /^\/customers\/[^/]+\/(content|collections)(\/|$)/.test(pathname);

/** The signed-in frame: top bar with product name, main navigation, the language switch and the account menu. */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation('frame');
  const user = useUser();
  useAccountLanguage();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  useRouteFocus(main);
  const nav = isEnterpriseAdmin(user)
    ? [
        { to: '/customers', label: t('nav.customers'), active: pathname.startsWith('/customers') },
        { to: '/status', label: t('nav.status'), active: pathname === '/status' },
        { to: '/erasures', label: t('nav.erasures'), active: pathname === '/erasures' },
      ]
    : user.customerId
      ? [
          { to: homePath(user), label: t('nav.users'), active: pathname.startsWith(`/customers/${user.customerId}`) && !isContentPath(pathname) },
          { to: `/customers/${user.customerId}/content`, label: t('nav.content'), active: isContentPath(pathname) },
        ]
      : [];
  if (mayReadAudit(user)) nav.push({ to: '/audit', label: t('nav.audit'), active: pathname === '/audit' });
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        {t('common:skipToContent')}
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          {/* Named by its visible text (no aria-label), so speech users can say what they see (WCAG 2.5.3). */}
          <Link to={homePath(user)} className="brand">
            <span className="brand-mark" aria-hidden="true">
              L
            </span>
            <span className="brand-name">Lectern</span>
            <span className="brand-sub">{t('brandSub')}</span>
            <span className="visually-hidden">{t('brandHidden')}</span>
          </Link>
          <nav className="mainnav" aria-label={t('nav.label')}>
            {nav.map((n) => (
              <Link key={n.to} to={n.to} className={n.active ? 'active' : undefined} aria-current={n.active ? 'page' : undefined}>
                {n.label}
              </Link>
            ))}
          </nav>
          <ConsoleLanguageSwitch className="topbar-language" hideLabel />
          <AccountMenu />
        </div>
      </header>
      <main ref={main} id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The account button and its menu (Account, Sign out); Escape and outside clicks close it. */
function AccountMenu() {
  const { t } = useTranslation('frame');
  const user = useUser();
  const { signOut } = useSession();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const items = () => Array.from(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        ref.current?.querySelector('button')?.focus();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const all = items();
        const at = all.indexOf(document.activeElement as HTMLElement);
        const next = e.key === 'ArrowDown' ? (at + 1) % all.length : (at - 1 + all.length) % all.length;
        all[next]?.focus();
      }
    };
    items()[0]?.focus();
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  const name = `${user.givenName} ${user.familyName}`.trim() || user.login;
  const initials = (user.givenName.charAt(0) + user.familyName.charAt(0)).toUpperCase() || user.login.charAt(0).toUpperCase();
  return (
    <div className="account-menu" ref={ref}>
      <button type="button" className="account-button" aria-haspopup="menu" aria-expanded={open} aria-controls="account-menu-list" onClick={() => setOpen((o) => !o)}>
        <span className="avatar" aria-hidden="true">
          {initials}
        </span>
        <span className="account-name">{name}</span>
        <span aria-hidden="true" className="caret">
          ▾
        </span>
      </button>
      {open ? (
        <div className="menu" id="account-menu-list" role="menu" aria-label={t('accountMenu')}>
          <div className="menu-header" role="presentation">
            <strong>{name}</strong>
            <span>{user.email}</span>
            <span className="menu-role">{roleLabel(user.role)}</span>
          </div>
          <Link to="/account" role="menuitem" onClick={() => setOpen(false)}>
            {t('account')}
          </Link>
          <button type="button" role="menuitem" onClick={() => void signOut()}>
            {t('common:signOut')}
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** A page's title row, with optional breadcrumbs and actions on the right. */
export function PageHeader({ title, subtitle, actions, crumbs }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; crumbs?: { to: string; label: string }[] }) {
  const { t } = useTranslation('frame');
  return (
    <div className="page-header">
      <div>
        {crumbs?.length ? (
          <nav aria-label={t('breadcrumb')} className="crumbs">
            <ol>
              {crumbs.map((c) => (
                <li key={c.to}>
                  <Link to={c.to}>{c.label}</Link>
                </li>
              ))}
            </ol>
          </nav>
        ) : null}
        <h1>{title}</h1>
        {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}

/** Sets the browser tab's title for a page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Lectern`;
  }, [title]);
}
