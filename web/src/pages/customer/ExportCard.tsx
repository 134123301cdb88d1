import { useEffect, useRef, useState } from 'react';
import { saveFile } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { SectionCard as Card } from '../../components/Facts.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import type { Customer } from '../../types.js';

type State = { kind: 'idle' } | { kind: 'downloading'; received: number } | { kind: 'done'; fileName: string; bytes: number } | { kind: 'failed'; message: string };

const size = (bytes: number) => (bytes < 1048576 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1048576).toFixed(1)} MB`);

/**
 * The customer's data export (GET /api/customers/:id/export): one zip with everything Lectern keeps
 * of the customer. The zip is written as it downloads, so its size is not known ahead: the card
 * shows what has arrived, and a download cut short (the export failed part-way) is an error, never
 * a saved file.
 */
export function ExportCard({ customer, onExported }: { customer: Customer; onExported?: () => void }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const start = async () => {
    const controller = new AbortController();
    abort.current = controller;
    setState({ kind: 'downloading', received: 0 });
    try {
      const res = await fetch(`/api/customers/${encodeURIComponent(customer.id)}/export`, { credentials: 'same-origin', signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(await refusal(res));
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
          message:
            err instanceof TypeError ? 'The download ended before the export was complete, so nothing was saved. Try again; if it fails again, tell your Lectern operator.' : (err as Error).message,
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
      title="Data export"
      action={
        busy ? (
          <button type="button" className="btn btn-secondary btn-small" onClick={() => abort.current?.abort()}>
            Cancel
          </button>
        ) : (
          <button type="button" className="btn btn-primary btn-small" onClick={() => void start()}>
            Download export (.zip)
          </button>
        )
      }
    >
      <div className="stack">
        <p>
          Everything Lectern keeps of {customer.profile.name}, in one zip: the roster as a OneRoster 1.2 bundle, people and their accounts, assignments, reading progress, LTI links and grade reports,
          the audit log, and the titles it uploaded. A README inside says what each file holds. Passwords are never included.
        </p>
        <p className="muted">It holds students’ personal data: keep it as the customer’s privacy agreement says. Each export is recorded in the audit trail.</p>
        {state.kind === 'downloading' ? <ProgressBar label="Exporting and downloading" detail={`${size(state.received)} received`} /> : null}
        {state.kind === 'done' ? (
          <Banner kind="success">
            Downloaded {state.fileName} ({size(state.bytes)}).
          </Banner>
        ) : null}
        {state.kind === 'failed' ? (
          <Banner kind="error" title="The export did not finish">
            {state.message}
          </Banner>
        ) : null}
      </div>
    </Card>
  );
}

// Why the server refused (its error message), or that it could not be reached.
async function refusal(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ?? `The server answered ${res.status}.`;
}
