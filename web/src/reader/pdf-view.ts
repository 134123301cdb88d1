/*
 * PDF through pdf.js: one page at a time on a canvas sized for the screen's pixel density, with
 * pdf.js's text layer over it so the text can be selected and read by screen readers. The page fits
 * the stage's content box (never its padding, or the lower edge slips under the footer) or is zoomed;
 * a zoomed page scrolls inside the stage. The worker
 * is a file of our own build (the CSP allows scripts from 'self' only), and pdf.js fetches only the
 * byte ranges it needs (Range requests) once the file is large. Positions are page numbers.
 */
import { GlobalWorkerOptions, TextLayer, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { swipeTracker, type TocEntry, type Viewer, type ViewerEvents, type Zoom } from './viewer.js';

GlobalWorkerOptions.workerSrc = workerUrl;

interface OutlineItem {
  title: string;
  dest: string | unknown[] | null;
  items: OutlineItem[];
}

/** What the PDF viewer says in the reader's language. */
export interface PdfLabels {
  page(page: number): string;
  pageOf(page: number, count: number): string;
  pageText(page: number, count: number): string;
}

async function outlineOf(doc: PDFDocumentProxy, labels: PdfLabels): Promise<TocEntry[]> {
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
  return entries.length ? entries : Array.from({ length: doc.numPages }, (_, i) => ({ label: labels.page(i + 1), target: String(i + 1), depth: 0 }));
}

// The stage's inner size: what a fitted page may fill.
function contentBox(element: HTMLElement): { width: number; height: number } {
  const style = getComputedStyle(element);
  const px = (v: string) => parseFloat(v) || 0;
  return {
    width: element.clientWidth - px(style.paddingLeft) - px(style.paddingRight),
    height: element.clientHeight - px(style.paddingTop) - px(style.paddingBottom),
  };
}

/** Opens the PDF at `url` in `element` at page `position`, or at page 1, at `zoom`. */
export async function openPdf(element: HTMLElement, url: string, opts: { title: string; position: string | null; zoom: Zoom; labels: PdfLabels }, events: ViewerEvents): Promise<Viewer> {
  const { labels } = opts;
  // Only the pages being read are downloaded (Range requests): a 200 MB PDF on a phone costs what is read.
  // pdf.js 6 runs no code from the PDF through eval (it dropped the isEvalSupported switch with it).
  const loading = getDocument({ url, withCredentials: true, disableStream: true, disableAutoFetch: true });
  const doc = await loading.promise;
  const toc = await outlineOf(doc, labels);
  const pageBox = document.createElement('div');
  pageBox.className = 'pdf-page';
  const canvas = document.createElement('canvas');
  canvas.setAttribute('aria-hidden', 'true');
  const text = document.createElement('div');
  text.className = 'textLayer';
  pageBox.append(canvas, text);
  element.replaceChildren(pageBox);
  const swipe = swipeTracker(events.onSwipe);
  // A zoomed page wider than the screen pans with a sideways swipe instead of turning.
  const pans = () => element.scrollWidth > element.clientWidth + 1;
  const touchStart = (e: TouchEvent) => (pans() ? undefined : swipe.start(e));
  element.addEventListener('touchstart', touchStart, { passive: true });
  element.addEventListener('touchend', swipe.end, { passive: true });

  const saved = Number(opts.position);
  let pageNumber = Number.isInteger(saved) && saved >= 1 && saved <= doc.numPages ? saved : 1;
  let rendering: Promise<void> = Promise.resolve();
  let zoom = opts.zoom;
  let shownPage = 0;

  const render = async () => {
    const page = await doc.getPage(pageNumber);
    const base = page.getViewport({ scale: 1 });
    const box = contentBox(element);
    const fitWidth = box.width / base.width;
    const fitPage = Math.min(fitWidth, box.height / base.height);
    const scale = Math.max(0.1, zoom.mode === 'page' ? fitPage : zoom.mode === 'width' ? fitWidth : zoom.scale);
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    pageBox.style.width = `${Math.floor(viewport.width)}px`;
    pageBox.style.height = `${Math.floor(viewport.height)}px`;
    pageBox.style.setProperty('--total-scale-factor', String(scale));
    await page.render({ canvas, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0] }).promise;
    text.replaceChildren();
    text.setAttribute('aria-label', labels.pageText(pageNumber, doc.numPages));
    text.setAttribute('role', 'document');
    await new TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport }).render();
    // A new page starts at its top; a new zoom keeps the place on the page.
    if (shownPage !== pageNumber) element.scrollTo({ top: 0, left: 0 });
    shownPage = pageNumber;
    events.onZoom?.(scale);
    const progress = pageNumber / doc.numPages;
    events.onLocation({
      position: String(pageNumber),
      progress,
      label: labels.pageOf(pageNumber, doc.numPages),
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
    setZoom: (next) => {
      zoom = next;
      return show(pageNumber);
    },
    destroy: () => {
      resized.disconnect();
      element.removeEventListener('touchstart', touchStart);
      element.removeEventListener('touchend', swipe.end);
      void loading.destroy();
    },
  };
}
