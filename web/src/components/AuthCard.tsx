import type { ReactNode } from 'react';

/** The centred card of the pages a person sees before the console: sign-in and first password. */
export function AuthCard({ title, lead, footer, extra, children }: { title: string; lead: ReactNode; footer?: ReactNode; extra?: ReactNode; children: ReactNode }) {
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true">
            L
          </span>
          <span>Lectern</span>
        </div>
        <h1>{title}</h1>
        <p className="auth-lead">{lead}</p>
        {children}
      </div>
      {footer ? <p className="auth-footer">{footer}</p> : null}
      {extra}
    </div>
  );
}
