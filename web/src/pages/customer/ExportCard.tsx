import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { failureOf, messageOf, saveFile } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { SectionCard as Card } from '../../components/Facts.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { formatCount, numberFormat } from '../../labels.js';
import type { Customer } from '../../types.js';

type State = { kind: 'idle' } | { kind: 'downloading'; received: number } | { kind: 'done'; fileName: string; bytes: number } | { kind: 'failed'; message: string };

// Whole kilobytes while it is small (the count moves visibly as it downloads), then megabytes with one decimal.
const size = (bytes: number) =>
  bytes < 1048576 ? `${formatCount(Math.round(bytes / 1024))} KB` : `${numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(bytes / 1048576)} MB`;

/**
 * The customer's data export (GET /api/customers/:id/export): one zip with everything Lectern keeps
 * of the customer. The zip is written as it downloads, so its size is not known ahead: the card
 * shows what has arrived, and a download cut short (the export failed part-way) is an error, never
 * a saved file.
 */
export function ExportCard({ customer, onExported }: { customer: Customer; onExported?: () => void }) {
  const { t } = useTranslation('customerPage');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const start = async () => {
    const controller = new AbortController();
    abort.current = controller;
    setState({ kind: 'downloading', received: 0 });
    try {
      const res = await fetch(`/api/customers/${encodeURIComponent(customer.id)}/export`, { credentials: 'same-origin', signal: controller.signal });
      // Why the server refused, in the page's language when the catalogue knows its code.
      if (!res.ok || !res.body) throw failureOf(res.status, await res.json().catch(() => undefined));
      const fileName = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `lectern-${customer.profile.code}-export.zip`;
      const reader = res.body.getReader();
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let received = 0;
      let shownAt = 0;
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        chunks.push(next.value);
        received += next.value.length;
        // Five repaints a second are plenty.
        if (performance.now() - shownAt >= 200) {
          shownAt = performance.now();
          setState({ kind: 'downloading', received });
        }
      }
      saveFile(new Blob(chunks, { type: 'application/zip' }), fileName);
      setState({ kind: 'done', fileName, bytes: received });
    } catch (err) {
      if (controller.signal.aborted) setState({ kind: 'idle' });
      else
        setState({
          kind: 'failed',
          message: err instanceof TypeError ? t('export.cutShort') : messageOf(err),
        });
    } finally {
      abort.current = null;
      // The export is in the audit trail whether it finished or not.
      onExported?.();
    }
  };

  const busy = state.kind === 'downloading';
  return (
    <Card
      className="summary-card summary-card-wide"
      title={t('export.title')}
      action={
        busy ? (
          <button type="button" className="btn btn-secondary btn-small" onClick={() => abort.current?.abort()}>
            {t('ui:cancel')}
          </button>
        ) : (
          <button type="button" className="btn btn-primary btn-small" onClick={() => void start()}>
            {t('export.download')}
          </button>
        )
      }
    >
      <div className="stack">
        <p>{t('export.lead', { name: customer.profile.name })}</p>
        <p className="muted">{t('export.privacy')}</p>
        {state.kind === 'downloading' ? <ProgressBar label={t('export.progress')} detail={t('export.received', { size: size(state.received) })} /> : null}
        {state.kind === 'done' ? <Banner kind="success">{t('export.done', { fileName: state.fileName, size: size(state.bytes) })}</Banner> : null}
        {state.kind === 'failed' ? (
          <Banner kind="error" title={t('export.failedTitle')}>
            {state.message}
          </Banner>
        ) : null}
      </div>
    </Card>
  );
}
