/*
 * PDF through pdf.js: one page at a time on a canvas sized for the screen's pixel density, with
 * pdf.js's text layer over it so the text can be selected and read by screen readers. The worker
 * is a file of our own build (the CSP allows scripts from 'self' only), and pdf.js fetches only the
 * byte ranges it needs (Range requests) once the file is large. Positions are page numbers.
 */
import { GlobalWorkerOptions, TextLayer, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { swipeTracker, type TocEntry, type Viewer, type ViewerEvents } from './viewer.js';

GlobalWorkerOptions.workerSrc = workerUrl;

interface OutlineItem {
  title: string;
  dest: string | unknown[] | null;
  items: OutlineItem[];
}

async function outlineOf(doc: PDFDocumentProxy): Promise<TocEntry[]> {
  const outline = ((await doc.getOutline()) ?? []) as OutlineItem[];
  const entries: TocEntry[] = [];
  const walk = async (items: OutlineItem[], depth: number) => {
    for (const item of items) {
      const dest = typeof item.dest === 'string' ? await doc.getDestination(item.dest) : item.dest;
      const ref = Array.isArray(dest) ? dest[0] : null;
      if (ref && typeof ref === 'object') entries.push({ label: item.title, target: String((await doc.getPageIndex(ref as never)) + 1), depth });
      await walk(item.items, depth + 1);
    }
  };
  await walk(outline, 0);
  // Without an outline, the pages themselves are the contents: still a way to jump.
  return entries.length ? entries : Array.from({ length: doc.numPages }, (_, i) => ({ label: `Page ${i + 1}`, target: String(i + 1), depth: 0 }));
}

/** Opens the PDF at `url` in `element` at page `position`, or at page 1. */
export async function openPdf(element: HTMLElement, url: string, opts: { title: string; position: string | null }, events: ViewerEvents): Promise<Viewer> {
  // Only the pages being read are downloaded (Range requests): a 200 MB PDF on a phone costs what is read.
  // pdf.js 6 runs no code from the PDF through eval (it dropped the isEvalSupported switch with it).
  const loading = getDocument({ url, withCredentials: true, disableStream: true, disableAutoFetch: true });
  const doc = await loading.promise;
  const toc = await outlineOf(doc);
  const pageBox = document.createElement('div');
  pageBox.className = 'pdf-page';
  const canvas = document.createElement('canvas');
  canvas.setAttribute('aria-hidden', 'true');
  const text = document.createElement('div');
  text.className = 'textLayer';
  pageBox.append(canvas, text);
  element.replaceChildren(pageBox);
  const swipe = swipeTracker(events.onSwipe);
  element.addEventListener('touchstart', swipe.start, { passive: true });
  element.addEventListener('touchend', swipe.end, { passive: true });

  const saved = Number(opts.position);
  let pageNumber = Number.isInteger(saved) && saved >= 1 && saved <= doc.numPages ? saved : 1;
  let rendering: Promise<void> = Promise.resolve();

  const render = async () => {
    const page = await doc.getPage(pageNumber);
    const base = page.getViewport({ scale: 1 });
    const scale = Math.max(0.1, Math.min(element.clientWidth / base.width, element.clientHeight / base.height));
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    pageBox.style.width = `${Math.floor(viewport.width)}px`;
    pageBox.style.height = `${Math.floor(viewport.height)}px`;
    pageBox.style.setProperty('--total-scale-factor', String(scale));
    await page.render({ canvas, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0] }).promise;
    text.replaceChildren();
    text.setAttribute('aria-label', `${opts.title}, page ${pageNumber} of ${doc.numPages}`);
    text.setAttribute('role', 'document');
    await new TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport }).render();
    const progress = pageNumber / doc.numPages;
    events.onLocation({
      position: String(pageNumber),
      progress,
      label: `Page ${pageNumber} of ${doc.numPages}`,
      atStart: pageNumber === 1,
      atEnd: pageNumber === doc.numPages,
      // The last contents entry that starts on or before this page.
      tocTarget: toc.filter((t) => Number(t.target) <= pageNumber).at(-1)?.target ?? null,
    });
  };
  // Renders one after another, so fast paging never draws two pages into one canvas at once.
  const show = (n: number) => {
    pageNumber = Math.min(doc.numPages, Math.max(1, n));
    rendering = rendering.then(render, render);
    return rendering;
  };
  await show(pageNumber);
  // Fit the page again when the window or the phone's orientation changes.
  let lastSize = `${element.clientWidth}x${element.clientHeight}`;
  const resized = new ResizeObserver(() => {
    const size = `${element.clientWidth}x${element.clientHeight}`;
    if (size !== lastSize) void show(pageNumber);
    lastSize = size;
  });
  resized.observe(element);

  return {
    toc,
    next: () => (pageNumber < doc.numPages ? show(pageNumber + 1) : Promise.resolve()),
    prev: () => (pageNumber > 1 ? show(pageNumber - 1) : Promise.resolve()),
    goTo: (target) => show(Number(target)),
    destroy: () => {
      resized.disconnect();
      element.removeEventListener('touchstart', swipe.start);
      element.removeEventListener('touchend', swipe.end);
      void loading.destroy();
    },
  };
}
