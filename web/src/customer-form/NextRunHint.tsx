import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api.js';
import type { paths } from '../api-schema.js';

type Period = NonNullable<paths['/api/meta/next-run']['get']['parameters']['query']>['period'];

/** "Next run: Sunday, 7 June 2026 at 2:00 AM (America/Chicago)" for an Auto period, live. */
export function NextRunHint({ period, timeZone }: { period: string; timeZone: string }) {
  const { t } = useTranslation('customerForm');
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    setText(null);
    if (!period || !timeZone) return;
    let current = true;
    unwrap(client.GET('/api/meta/next-run', { params: { query: { period: period as Period, timeZone } } }))
      .then((r) => current && setText(t('nextRun', { when: r.local })))
      .catch(() => current && setText(null));
    return () => {
      current = false;
    };
  }, [period, timeZone, t]);
  return (
    <p className="next-run" aria-live="polite" data-testid="next-run">
      {text ?? (period ? t('nextRunWorking') : t('nextRunChoose'))}
    </p>
  );
}
