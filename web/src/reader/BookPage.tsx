import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, messageOf } from '../api.js';
import { Banner } from '../components/Banner.js';
import { Dialog } from '../components/Dialog.js';
import { useTitle } from '../components/Layout.js';
import { Link } from '../router.js';
import { DisplaySettingsDialog, TextSizeButtons } from './DisplaySettings.js';
import { useProgressSaver } from './progress-saver.js';
import { useReaderSettings } from './reading-settings.js';
import type { BookDetail } from './types.js';
import { pagingDirection, zoomStep, type Viewer, type ViewerEvents, type ViewerLocation, type Zoom } from './viewer.js';

/** A title opened for reading: loads its metadata (with the saved position), then the viewer. */
export function BookPage({ bookId }: { bookId: string }) {
  const { t } = useTranslation('book');
  const [book, setBook] = useState<BookDetail | null>(null);
  const [error, setError] = useState<{ message: string; notFound: boolean } | null>(null);
  useEffect(() => {
    let current = true;
    api
      .get<BookDetail>(`/api/reader/books/${encodeURIComponent(bookId)}`)
      .then((b) => current && setBook(b))
      .catch((err: unknown) => current && setError({ message: messageOf(err), notFound: err instanceof ApiError && err.status === 404 }));
    return () => {
      current = false;
    };
  }, [bookId]);
  useTitle(book?.title ?? t('pageTitle'));
  if (error) {
    return (
      <main id="main" className="reader-message">
        <Banner kind="error" title={error.notFound ? t('notOnShelf') : t('cannotOpen')}>
          {error.notFound ? t('notOnShelfDetail') : error.message}
        </Banner>
        <Link to="/reader" className="btn btn-primary">
          {t('backToShelf')}
        </Link>
      </main>
    );
  }
  if (!book) return <p className="loading">{t('opening')}</p>;
  return <ReadingView key={book.id} book={book} />;
}

// A PDF's zoom is remembered per title for this browser session (sessionStorage).
const zoomKey = (bookId: string) => `lectern.reader.zoom.${bookId}`;

function storedZoom(bookId: string): Zoom {
  try {
    const saved = JSON.parse(window.sessionStorage.getItem(zoomKey(bookId)) ?? 'null') as Zoom | null;
    if (saved?.mode === 'page' || saved?.mode === 'width') return { mode: saved.mode };
    if (saved?.mode === 'scale' && Number.isFinite(saved.scale) && saved.scale > 0) return saved;
  } catch {
    // Unreadable: start fitted.
  }
  return { mode: 'page' };
}

// + (or =, on the same key without Shift) and − zoom a PDF.
function zoomDirection(key: string): -1 | 1 | null {
  if (key === '+' || key === '=') return 1;
  if (key === '-' || key === '−') return -1;
  return null;
}

function ReadingView({ book }: { book: BookDetail }) {
  const { t, i18n } = useTranslation('book');
  const { settings } = useReaderSettings();
  const stage = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const viewer = useRef<Viewer | null>(null);
  const [ready, setReady] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [location, setLocation] = useState<ViewerLocation | null>(null);
  const [tocOpen, setTocOpen] = useState(false);
  const [saved, setSaved] = useState(false);
  const [displayOpen, setDisplayOpen] = useState(false);
  const [zoom, setZoom] = useState<Zoom>(() => storedZoom(book.id));
  const [scale, setScale] = useState<number | null>(null);
  const scaleNow = useRef<number | null>(null);
  // The viewer opens once per book with the settings of that moment; later changes are applied to it.
  const opening = useRef({ settings, zoom });
  const save = useProgressSaver(book.id, () => setSaved(true));
  // The first location is where the book was restored to: not a change worth saving.
  const restored = useRef<string | null>(book.position);

  const turn = useCallback((direction: -1 | 1) => {
    const v = viewer.current;
    if (!v) return;
    void (direction === 1 ? v.next() : v.prev());
  }, []);

  const zoomBy = useCallback((direction: -1 | 1) => {
    const next = scaleNow.current === null ? null : zoomStep(scaleNow.current, direction);
    if (next !== null) setZoom({ mode: 'scale', scale: next });
  }, []);

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
      const zoomTo = book.format === 'pdf' ? zoomDirection(e.key) : null;
      const direction = pagingDirection(e.key);
      if (direction === null && zoomTo === null) return;
      // Keys from the book's iframe reach us through epub.js's passive listeners: nothing to prevent there.
      if (e.view === window) e.preventDefault();
      if (zoomTo !== null) zoomBy(zoomTo);
      else if (direction !== null) turn(direction);
    },
    [turn, zoomBy, book.format],
  );

  useEffect(() => {
    const element = stage.current;
    if (!element) return;
    let cancelled = false;
    const events: ViewerEvents = {
      onLocation: (loc) => {
        if (cancelled) return;
        setLocation(loc);
        if (loc.position === restored.current) return;
        restored.current = null;
        setSaved(false);
        save({ position: loc.position, progress: Math.round(loc.progress * 10_000) / 10_000 });
      },
      onKey,
      onSwipe: turn,
      onZoom: (s) => {
        if (cancelled) return;
        scaleNow.current = s;
        setScale(s);
      },
    };
    const open = async (): Promise<Viewer> => {
      const { settings: first, zoom: firstZoom } = opening.current;
      // Read at each use, so a page label follows a change of language.
      const say = (key: string, values: Record<string, unknown>) => i18n.t(`book:${key}`, values);
      if (book.format === 'pdf') {
        const labels = {
          page: (page: number) => say('page', { page }),
          pageOf: (page: number, count: number) => say('pageOf', { page, count }),
          pageText: (page: number, count: number) => say('pageText', { title: book.title, page, count }),
        };
        return (await import('./pdf-view.js')).openPdf(element, book.fileUrl, { title: book.title, position: book.position, zoom: firstZoom, labels }, events);
      }
      const res = await fetch(book.fileUrl, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(say('fileFailed', { status: res.status }));
      const data = await res.arrayBuffer();
      const opts = { title: book.title, position: book.position, textScale: first.fontSize / 100, textStyle: first, frameTitle: say('bookText', { title: book.title }) };
      return (await import('./epub-view.js')).openEpub(element, data, opts, events);
    };
    open()
      .then((v) => {
        if (cancelled) return v.destroy();
        viewer.current = v;
        setReady(true);
      })
      .catch((err: unknown) => !cancelled && setLoadError(messageOf(err)));
    return () => {
      cancelled = true;
      viewer.current?.destroy();
      viewer.current = null;
    };
  }, [book, save, onKey, turn, i18n]);

  useEffect(() => {
    if (ready) viewer.current?.setTextScale?.(settings.fontSize / 100);
  }, [ready, settings.fontSize]);
  const { font, lineSpacing, theme } = settings;
  useEffect(() => {
    if (ready) viewer.current?.setTextStyle?.({ font, lineSpacing, theme });
  }, [ready, font, lineSpacing, theme]);

  useEffect(() => {
    window.sessionStorage.setItem(zoomKey(book.id), JSON.stringify(zoom));
    // The viewer opened at the first zoom; only a later choice draws the page again.
    if (ready && zoom !== opening.current.zoom) void viewer.current?.setZoom?.(zoom);
  }, [ready, zoom, book.id]);

  // Arriving from the shelf, screen readers hear the title first (the link that had focus is gone).
  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    if (tocOpen || displayOpen) return;
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onKey, tocOpen, displayOpen]);

  const percent = Math.round((location?.progress ?? book.progress ?? 0) * 100);
  const toc = viewer.current?.toc ?? [];
  return (
    <div className="reading">
      <header className="reading-bar">
        <Link to="/reader" className="reading-back" aria-label={t('backToShelf')}>
          <span aria-hidden="true">←</span>
          <span className="reading-back-text">{t('bookshelf')}</span>
        </Link>
        <div className="reading-title">
          <h1 ref={heading} tabIndex={-1}>
            {book.title}
          </h1>
          <p>{book.author}</p>
        </div>
        <div className="reading-tools">
          {book.format === 'epub' ? <TextSizeButtons disabled={!ready} /> : null}
          <button type="button" className="btn btn-small reading-tool" onClick={() => setDisplayOpen(true)} aria-haspopup="dialog" aria-label={t('displaySettings')}>
            {/* The "Aa" glyph is drawn by CSS, so the visible text is the word the accessible name starts with. */}
            <span className="reading-tool-icon-display" aria-hidden="true" />
            <span className="reading-tool-text">{t('display')}</span>
          </button>
          <button type="button" className="btn btn-small reading-tool" onClick={() => setTocOpen(true)} disabled={!ready} aria-haspopup="dialog">
            {t('contents')}
          </button>
        </div>
        {book.format === 'pdf' ? (
          <div className="zoom-tools" role="group" aria-label={t('zoom', { percent: scale === null ? 100 : Math.round(scale * 100) })}>
            <button type="button" className="btn btn-small reading-tool" onClick={() => zoomBy(-1)} disabled={!ready || scale === null || zoomStep(scale, -1) === null} aria-label={t('zoomOut')}>
              <span aria-hidden="true">−</span>
            </button>
            <span className="zoom-level" aria-hidden="true">
              {scale === null ? '' : `${Math.round(scale * 100)}%`}
            </span>
            <button type="button" className="btn btn-small reading-tool" onClick={() => zoomBy(1)} disabled={!ready || scale === null || zoomStep(scale, 1) === null} aria-label={t('zoomIn')}>
              <span aria-hidden="true">+</span>
            </button>
            <button type="button" className="btn btn-small reading-tool" onClick={() => setZoom({ mode: 'width' })} disabled={!ready} aria-pressed={zoom.mode === 'width'}>
              {t('fitWidth')}
            </button>
            <button type="button" className="btn btn-small reading-tool" onClick={() => setZoom({ mode: 'page' })} disabled={!ready} aria-pressed={zoom.mode === 'page'}>
              {t('fitPage')}
            </button>
          </div>
        ) : null}
      </header>
      <main id="main" className="reading-main">
        {loadError ? (
          <div className="reader-message">
            <Banner kind="error" title={t('cannotOpen')}>
              {loadError}
            </Banner>
          </div>
        ) : null}
        <div
          ref={stage}
          className={`reading-stage reading-${book.format}`}
          aria-busy={!ready}
          aria-label={t(book.format === 'pdf' ? 'stageLabelPdf' : 'stageLabel', { title: book.title })}
          role="region"
          // A zoomed PDF scrolls: the keyboard reaches it (arrow keys still turn pages).
          tabIndex={book.format === 'pdf' ? 0 : undefined}
        />
        {!ready && !loadError ? <p className="reading-loading">{t('openingTitle', { title: book.title })}</p> : null}
      </main>
      <footer className="reading-footer">
        <button type="button" className="btn btn-secondary page-button" onClick={() => turn(-1)} disabled={!ready || location?.atStart} aria-label={t('previousPage')}>
          <span aria-hidden="true">‹</span>
          <span className="page-button-text">{t('previous')}</span>
        </button>
        <div className="reading-position">
          <div className="reading-progress" role="progressbar" aria-label={t('progress')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
            <div className="reading-progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <p className="reading-location" aria-live="polite" aria-atomic="true">
            {location?.label ?? '\u00a0'}
            <span className="visually-hidden">{saved ? t('saved') : ''}</span>
          </p>
        </div>
        <button type="button" className="btn btn-secondary page-button" onClick={() => turn(1)} disabled={!ready || location?.atEnd} aria-label={t('nextPage')}>
          <span className="page-button-text">{t('next')}</span>
          <span aria-hidden="true">›</span>
        </button>
      </footer>
      <DisplaySettingsDialog open={displayOpen} onClose={() => setDisplayOpen(false)} format={book.format} />
      <Dialog
        title={t('contents')}
        open={tocOpen}
        onClose={() => setTocOpen(false)}
        footer={
          <button type="button" className="btn btn-secondary" onClick={() => setTocOpen(false)}>
            {t('common:close')}
          </button>
        }
      >
        <nav aria-label={t('tableOfContents')}>
          <ol className="toc-list">
            {toc.map((entry, i) => (
              <li key={`${entry.target}-${i}`} style={{ paddingInlineStart: `${entry.depth * 16}px` }}>
                <button
                  type="button"
                  className="toc-item"
                  aria-current={entry.target === location?.tocTarget ? 'location' : undefined}
                  data-autofocus={entry.target === (location?.tocTarget ?? toc[0]?.target) ? true : undefined}
                  onClick={() => {
                    setTocOpen(false);
                    void viewer.current?.goTo(entry.target);
                  }}
                >
                  {entry.label}
                </button>
              </li>
            ))}
          </ol>
        </nav>
      </Dialog>
    </div>
  );
}
