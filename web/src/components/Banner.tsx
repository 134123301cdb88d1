import type { ReactNode } from 'react';

/** A message across the page: errors are announced at once, the rest politely. */
export function Banner({ kind, children, title }: { kind: 'error' | 'success' | 'info' | 'warning'; children: ReactNode; title?: string }) {
  return (
    <div className={`banner banner-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {title ? <strong className="banner-title">{title}</strong> : null}
      <div>{children}</div>
    </div>
  );
}
