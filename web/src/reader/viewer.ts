import type { ReaderSettings } from './types.js';

/** One entry of a table of contents (nested entries are flattened with a depth). */
export interface TocEntry {
  label: string;
  /** What `goTo` takes: an EPUB href or a PDF page number. */
  target: string;
  depth: number;
}

/** Where the viewer is now. */
export interface ViewerLocation {
  /** Saved and restored: an EPUB CFI, or a PDF page number. */
  position: string;
  /** 0 to 1. */
  progress: number;
  /** What a person reads, and a screen reader announces: "Chapter 2 · 40%", "Page 3 of 10". */
  label: string;
  atStart: boolean;
  atEnd: boolean;
  /** The contents entry being read (its `target`), marked in the contents. */
  tocTarget: string | null;
}

/** How a PDF page is sized: to fit the page or its width in the stage, or at a scale (1 = 100%). */
export type Zoom = { mode: 'page' } | { mode: 'width' } | { mode: 'scale'; scale: number };

/** The zoom steps that − and + move through (scales). */
export const ZOOM_STEPS = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4] as const;

/** The next zoom step above (+1) or below (-1) the scale shown now; null at the end. */
export function zoomStep(current: number, direction: -1 | 1): number | null {
  // A fitted scale between two steps goes to the nearer neighbour in the direction asked.
  const next = direction === 1 ? ZOOM_STEPS.find((s) => s > current * 1.01) : [...ZOOM_STEPS].reverse().find((s) => s < current * 0.99);
  return next ?? null;
}

/** How a book's text looks in the reader (EPUB only): font, line spacing and theme. */
export type TextStyle = Pick<ReaderSettings, 'font' | 'lineSpacing' | 'theme'>;

/** What the book page needs from an EPUB or PDF viewer. */
export interface Viewer {
  toc: TocEntry[];
  next(): Promise<void>;
  prev(): Promise<void>;
  goTo(target: string): Promise<void>;
  /** Scales the book's text (1 = as designed); only reflowing books (EPUB) have it. */
  setTextScale?(scale: number): void;
  /** Font, line spacing and theme of the book's text; only reflowing books (EPUB) have it. */
  setTextStyle?(style: TextStyle): void;
  /** Sizes the page (PDF only). */
  setZoom?(zoom: Zoom): Promise<void>;
  destroy(): void;
}

/** What a viewer reports back to the page. */
export interface ViewerEvents {
  onLocation(location: ViewerLocation): void;
  /** Paging keys pressed while focus is inside the book (the EPUB's iframe). */
  onKey(event: KeyboardEvent): void;
  /** A horizontal swipe inside the book: -1 back, +1 forward. */
  onSwipe(direction: -1 | 1): void;
  /** The scale a PDF page is shown at now (1 = 100%), after each zoom or fit. */
  onZoom?(scale: number): void;
}

/** Paging keys: arrows and Page Up/Down. Returns -1, +1 or null. */
export function pagingDirection(key: string): -1 | 1 | null {
  if (key === 'ArrowRight' || key === 'PageDown') return 1;
  if (key === 'ArrowLeft' || key === 'PageUp') return -1;
  return null;
}

/** Tracks one touch and reports a mostly horizontal swipe of at least 40 px. */
export function swipeTracker(onSwipe: (direction: -1 | 1) => void) {
  let start: { x: number; y: number } | null = null;
  return {
    start(e: TouchEvent) {
      const t = e.changedTouches[0];
      start = t && e.touches.length === 1 ? { x: t.clientX, y: t.clientY } : null;
    },
    end(e: TouchEvent) {
      const t = e.changedTouches[0];
      if (!start || !t) return;
      const dx = t.clientX - start.x;
      const dy = t.clientY - start.y;
      start = null;
      if (Math.abs(dx) >= 40 && Math.abs(dx) > Math.abs(dy) * 1.5) onSwipe(dx < 0 ? 1 : -1);
    },
  };
}
