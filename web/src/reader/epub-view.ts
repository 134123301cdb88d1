/*
 * EPUB through epub.js: the book is fetched once with the session cookie, unzipped in the browser
 * and paginated into a sandboxed iframe (scripts in books never run). Positions are EPUB CFIs;
 * progress comes from epub.js locations, generated in the background after the first page shows.
 * The reader's font, line spacing and theme are one style element in each chapter's document.
 */
import dyslexicBold from '@fontsource/opendyslexic/files/opendyslexic-latin-700-normal.woff2?url';
import dyslexicRegular from '@fontsource/opendyslexic/files/opendyslexic-latin-400-normal.woff2?url';
import ePub, { type Contents, type Location, type NavItem } from 'epubjs';
import { swipeTracker, type TextStyle, type TocEntry, type Viewer, type ViewerEvents } from './viewer.js';

const FONT_FAMILIES: Record<Exclude<TextStyle['font'], 'book'>, string> = {
  serif: 'Georgia, "Iowan Old Style", "Times New Roman", serif',
  sans: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  dyslexic: '"OpenDyslexic", "Comic Sans MS", sans-serif',
};
const LINE_HEIGHTS: Record<Exclude<TextStyle['lineSpacing'], 'normal'>, string> = { relaxed: '2', loose: '2.4' };
const STYLE_ID = 'lectern-reading-style';

/** The style sheet that puts the reader's choices over the book's own styles. */
function readingCss(style: TextStyle): string {
  // The chapter is a blob: document; the font files are ours, so their URLs are absolute.
  const font = (file: string, weight: number) =>
    `@font-face { font-family: "OpenDyslexic"; font-weight: ${weight}; font-display: block; src: url("${new URL(file, window.location.href).href}") format("woff2"); }`;
  const rules: string[] = [];
  if (style.font !== 'book') {
    if (style.font === 'dyslexic') rules.push(font(dyslexicRegular, 400), font(dyslexicBold, 700));
    rules.push(`body, body *:not(pre):not(code):not(kbd):not(samp) { font-family: ${FONT_FAMILIES[style.font]} !important; }`);
  }
  if (style.lineSpacing !== 'normal') rules.push(`body, body * { line-height: ${LINE_HEIGHTS[style.lineSpacing]} !important; }`);
  if (style.theme === 'high-contrast') {
    // White on black (21:1), links in yellow (19:1): beyond WCAG AAA's 7:1, whatever the book's colours.
    rules.push(
      'html, body { background: #000 !important; color: #fff !important; }',
      'body * { color: inherit !important; background-color: transparent !important; border-color: #fff !important; }',
      'a, a * { color: #ffeb3b !important; text-decoration: underline !important; }',
    );
  }
  return rules.join('\n');
}

function applyCss(doc: Document, css: string) {
  let element = doc.getElementById(STYLE_ID);
  if (!element) {
    element = doc.createElement('style');
    element.id = STYLE_ID;
    doc.head.append(element);
  }
  element.textContent = css;
}

function flatten(items: NavItem[], depth = 0): TocEntry[] {
  return items.flatMap((i) => [{ label: i.label.trim(), target: i.href, depth }, ...flatten(i.subitems ?? [], depth + 1)]);
}

const fileOf = (href: string) => href.split('#')[0]?.split('/').pop() ?? href;

/** Opens an EPUB (already fetched) in `element` at `position` (a CFI), or at the start. */
export async function openEpub(
  element: HTMLElement,
  data: ArrayBuffer,
  opts: { title: string; position: string | null; textScale: number; textStyle: TextStyle; frameTitle: string },
  events: ViewerEvents,
): Promise<Viewer> {
  const book = ePub(data);
  await book.ready;
  const rendition = book.renderTo(element, { width: '100%', height: '100%', flow: 'paginated', spread: 'auto', minSpreadWidth: 900, allowScriptedContent: false });
  rendition.themes.default({
    body: { 'font-family': 'Georgia, "Iowan Old Style", "Times New Roman", serif', 'line-height': '1.65', color: '#1b2330' },
    'h1, h2, h3': { 'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', 'line-height': '1.25' },
    a: { color: '#1f4fd1' },
  });
  // Book text a little larger than the browser's default reads better on screens; the reader scales from there.
  const setTextScale = (scale: number) => rendition.themes.fontSize(`${Math.round(scale * 108)}%`);
  setTextScale(opts.textScale);
  let css = readingCss(opts.textStyle);
  // Each chapter's document gets the style as epub.js loads it; setTextStyle restyles those on screen.
  rendition.hooks.content.register((contents: Contents) => applyCss(contents.document, css));
  const setTextStyle = (style: TextStyle) => {
    css = readingCss(style);
    for (const contents of rendition.getContents() as unknown as Contents[]) applyCss(contents.document, css);
  };
  const toc = flatten((await book.loaded.navigation).toc);
  const spineLength = (book.spine as unknown as { length: number }).length || 1;
  let locationsReady = false;

  const report = (loc: Location) => {
    const start = loc.start;
    const estimate = (start.index + (start.displayed.page - 1) / Math.max(1, start.displayed.total)) / spineLength;
    const raw = loc.atEnd ? 1 : locationsReady ? book.locations.percentageFromCfi(start.cfi) : estimate;
    const progress = Math.min(1, Math.max(0, raw));
    const entry = toc.find((t) => fileOf(t.target) === fileOf(start.href));
    const percent = Math.round(progress * 100);
    events.onLocation({
      position: start.cfi,
      progress,
      label: entry ? `${entry.label} · ${percent}%` : `${percent}%`,
      atStart: loc.atStart,
      atEnd: loc.atEnd,
      tocTarget: entry?.target ?? null,
    });
  };
  rendition.on('relocated', report);
  // Key presses and touches inside the book's iframe never reach the page: epub.js passes them on.
  rendition.on('keydown', (e: KeyboardEvent) => events.onKey(e));
  const swipe = swipeTracker(events.onSwipe);
  rendition.on('touchstart', (e: TouchEvent) => swipe.start(e));
  rendition.on('touchend', (e: TouchEvent) => swipe.end(e));
  rendition.on('rendered', (_section: unknown, view: { iframe?: HTMLIFrameElement }) => {
    if (view.iframe) view.iframe.title = opts.frameTitle;
  });

  try {
    await rendition.display(opts.position ?? undefined);
  } catch {
    // A position saved from an older copy of the file: start at the beginning rather than fail.
    await rendition.display();
  }
  let destroyed = false;
  const locations = book.locations.generate(1200).then(() => {
    if (destroyed) return;
    locationsReady = true;
    const loc = rendition.currentLocation() as unknown as Location | undefined;
    if (loc?.start) report(loc);
  });

  return {
    toc,
    next: () => rendition.next(),
    prev: () => rendition.prev(),
    goTo: async (target) => {
      await rendition.display(target);
    },
    setTextScale,
    setTextStyle,
    destroy: () => {
      destroyed = true;
      rendition.destroy();
      // epub.js cannot stop generating locations, and fails if the book goes away under it.
      void locations.finally(() => book.destroy());
    },
  };
}
