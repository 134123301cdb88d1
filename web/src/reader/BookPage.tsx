import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, messageOf } from '../api.js';
import { Banner } from '../components/Banner.js';
import { Dialog } from '../components/Dialog.js';
import { useTitle } from '../components/Layout.js';
import { Link } from '../router.js';
import { useProgressSaver } from './progress-saver.js';
import type { BookDetail } from './types.js';
import { pagingDirection, type Viewer, type ViewerEvents, type ViewerLocation } from './viewer.js';

/** A title opened for reading: loads its metadata (with the saved position), then the viewer. */
export function BookPage({ bookId }: { bookId: string }) {
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
  useTitle(book?.title ?? 'Book');
  if (error) {
    return (
      <main id="main" className="reader-message">
        <Banner kind="error" title={error.notFound ? 'This book is not on your bookshelf' : 'The book could not be opened'}>
          {error.notFound ? 'It may not be assigned to you, or your class no longer has it.' : error.message}
        </Banner>
        <Link to="/reader" className="btn btn-primary">
          Back to your bookshelf
        </Link>
      </main>
    );
  }
  if (!book) return <p className="loading">Opening the book…</p>;
  return <ReadingView key={book.id} book={book} />;
}

// Text sizes a reader can step through; the choice is this device's (kept in localStorage).
const TEXT_SCALES = [0.85, 1, 1.15, 1.3, 1.5, 1.75, 2];
const TEXT_SCALE_KEY = 'lectern.reader.textScale';

function storedTextScale(): number {
  const saved = Number(window.localStorage.getItem(TEXT_SCALE_KEY));
  return TEXT_SCALES.includes(saved) ? saved : 1;
}

function ReadingView({ book }: { book: BookDetail }) {
  const stage = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const viewer = useRef<Viewer | null>(null);
  const [ready, setReady] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [location, setLocation] = useState<ViewerLocation | null>(null);
  const [tocOpen, setTocOpen] = useState(false);
  const [saved, setSaved] = useState(false);
  const [textScale, setTextScale] = useState(storedTextScale);
  const save = useProgressSaver(book.id, () => setSaved(true));
  // The first location is where the book was restored to: not a change worth saving.
  const restored = useRef<string | null>(book.position);

  const turn = useCallback((direction: -1 | 1) => {
    const v = viewer.current;
    if (!v) return;
    void (direction === 1 ? v.next() : v.prev());
  }, []);

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
      const direction = pagingDirection(e.key);
      if (direction === null) return;
      // Keys from the book's iframe reach us through epub.js's passive listeners: nothing to prevent there.
      if (e.view === window) e.preventDefault();
      turn(direction);
    },
    [turn],
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
    };
    const open = async (): Promise<Viewer> => {
      const opts = { title: book.title, position: book.position, textScale: storedTextScale() };
      if (book.format === 'pdf') return (await import('./pdf-view.js')).openPdf(element, book.fileUrl, opts, events);
      const res = await fetch(book.fileUrl, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`The book file could not be loaded (${res.status}).`);
      const data = await res.arrayBuffer();
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
  }, [book, save, onKey, turn]);

  useEffect(() => {
    if (!ready) return;
    viewer.current?.setTextScale?.(textScale);
    window.localStorage.setItem(TEXT_SCALE_KEY, String(textScale));
  }, [ready, textScale]);
  const stepText = (by: -1 | 1) => setTextScale((s) => TEXT_SCALES[Math.min(TEXT_SCALES.length - 1, Math.max(0, TEXT_SCALES.indexOf(s) + by))] ?? 1);

  // Arriving from the shelf, screen readers hear the title first (the link that had focus is gone).
  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    if (tocOpen) return;
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onKey, tocOpen]);

  const percent = Math.round((location?.progress ?? book.progress ?? 0) * 100);
  const toc = viewer.current?.toc ?? [];
  return (
    <div className="reading">
      <header className="reading-bar">
        <Link to="/reader" className="reading-back" aria-label="Back to your bookshelf">
          <span aria-hidden="true">←</span>
          <span className="reading-back-text">Bookshelf</span>
        </Link>
        <div className="reading-title">
          <h1 ref={heading} tabIndex={-1}>
            {book.title}
          </h1>
          <p>{book.author}</p>
        </div>
        <div className="reading-tools">
          {book.format === 'epub' ? (
            <div className="text-size" role="group" aria-label={`Text size ${Math.round(textScale * 100)}%`}>
              <button type="button" className="btn btn-small reading-tool" onClick={() => stepText(-1)} disabled={!ready || textScale === TEXT_SCALES[0]}>
                {/* A− and A+ are symbols, not a label: the name is in hidden text (an aria-label beside visible "A−" fails WCAG 2.5.3 label in name). */}
                <span aria-hidden="true">A−</span>
                <span className="visually-hidden">Smaller text</span>
              </button>
              <button type="button" className="btn btn-small reading-tool" onClick={() => stepText(1)} disabled={!ready || textScale === TEXT_SCALES.at(-1)}>
                <span aria-hidden="true" className="text-size-large">
                  A+
                </span>
                <span className="visually-hidden">Larger text</span>
              </button>
            </div>
          ) : null}
          <button type="button" className="btn btn-small reading-tool" onClick={() => setTocOpen(true)} disabled={!ready} aria-haspopup="dialog">
            Contents
          </button>
        </div>
      </header>
      <main id="main" className="reading-main">
        {loadError ? (
          <div className="reader-message">
            <Banner kind="error" title="The book could not be opened">
              {loadError}
            </Banner>
          </div>
        ) : null}
        <div ref={stage} className={`reading-stage reading-${book.format}`} aria-busy={!ready} aria-label={`${book.title}. Use the arrow keys or Page Up and Page Down to turn pages.`} role="region" />
        {!ready && !loadError ? <p className="reading-loading">Opening “{book.title}”…</p> : null}
      </main>
      <footer className="reading-footer">
        <button type="button" className="btn btn-secondary page-button" onClick={() => turn(-1)} disabled={!ready || location?.atStart} aria-label="Previous page">
          <span aria-hidden="true">‹</span>
          <span className="page-button-text">Previous</span>
        </button>
        <div className="reading-position">
          <div className="reading-progress" role="progressbar" aria-label="Progress in this book" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
            <div className="reading-progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <p className="reading-location" aria-live="polite" aria-atomic="true">
            {location?.label ?? '\u00a0'}
            <span className="visually-hidden">{saved ? ', saved' : ''}</span>
          </p>
        </div>
        <button type="button" className="btn btn-secondary page-button" onClick={() => turn(1)} disabled={!ready || location?.atEnd} aria-label="Next page">
          <span className="page-button-text">Next</span>
          <span aria-hidden="true">›</span>
        </button>
      </footer>
      <Dialog
        title="Contents"
        open={tocOpen}
        onClose={() => setTocOpen(false)}
        footer={
          <button type="button" className="btn btn-secondary" onClick={() => setTocOpen(false)}>
            Close
          </button>
        }
      >
        <nav aria-label="Table of contents">
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
