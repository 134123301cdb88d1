import type { ReactNode } from 'react';

/** A message across the page: errors (and anything `urgent`) are announced at once, the rest politely. */
export function Banner({ kind, children, title, urgent }: { kind: 'error' | 'success' | 'info' | 'warning'; children: ReactNode; title?: string | undefined; urgent?: boolean }) {
  return (
    <div className={`banner banner-${kind}`} role={kind === 'error' || urgent ? 'alert' : 'status'}>
      {title ? <strong className="banner-title">{title}</strong> : null}
      <div>{children}</div>
    </div>
  );
}
