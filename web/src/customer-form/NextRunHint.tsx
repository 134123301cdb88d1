import { useEffect, useState } from 'react';
import { api } from '../api.js';

/** "Next run: Sunday, 7 June 2026 at 2:00 AM (America/Chicago)" for an Auto period, live. */
export function NextRunHint({ period, timeZone }: { period: string; timeZone: string }) {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    setText(null);
    if (!period || !timeZone) return;
    let current = true;
    api
      .get<{ nextRunAt: string; local: string }>('/api/meta/next-run', { period, timeZone })
      .then((r) => current && setText(`Next run: ${r.local}`))
      .catch(() => current && setText(null));
    return () => {
      current = false;
    };
  }, [period, timeZone]);
  return (
    <p className="next-run" aria-live="polite" data-testid="next-run">
      {text ?? (period ? 'Working out the next run…' : 'Choose a period to see when the first sync runs.')}
    </p>
  );
}
