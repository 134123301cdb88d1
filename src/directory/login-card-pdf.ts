import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { PdfFont, usePdfFonts } from '../documents/pdf-fonts.js';

/** Paper the cards are printed on. */
export type PageSize = 'letter' | 'a4';

/** What one card shows besides the heading: a first-use password, or a QR code that signs in once. */
export interface LoginCard {
  name: string;
  login: string;
  password?: string;
  qrUrl?: string;
}

/** What every card of one print shows. */
export interface CardSheet {
  heading: string;
  subheading: string;
  signInUrl: string;
  /** "Works once, until …" under a QR code. */
  qrExpires: string;
  pageSize: PageSize;
}

// Points (1/72 in). Eight cards a page, two across: the size of a business card grid a teacher cuts along.
const PAGES: Record<PageSize, [number, number]> = { letter: [612, 792], a4: [595.28, 841.89] };
const MARGIN = 36;
const GAP = 12;
const COLUMNS = 2;
const ROWS = 4;
const PAD = 12;
// pdfkit pushes everything it writes; pausing while this much waits unread keeps a slow download from piling the PDF up in memory.
const MAX_UNREAD_BYTES = 256 * 1024;

/**
 * Streams a PDF of login cards, eight to a page, with dashed cutting lines. The cards are drawn a
 * page at a time, and drawing waits while the reader of the stream is behind, so memory stays
 * bounded for a class of any size. QR codes are vector squares (crisp at any printer resolution).
 */
export function renderLoginCards(cards: readonly LoginCard[], sheet: CardSheet): Readable {
  const [width, height] = PAGES[sheet.pageSize];
  const doc = new PDFDocument({ size: [width, height], margin: 0, autoFirstPage: false, info: { Title: `Login cards: ${sheet.heading}`, Creator: 'Lectern' } });
  const cardW = (width - 2 * MARGIN - (COLUMNS - 1) * GAP) / COLUMNS;
  const cardH = (height - 2 * MARGIN - (ROWS - 1) * GAP) / ROWS;
  const perPage = COLUMNS * ROWS;
  usePdfFonts(doc);
  void (async () => {
    try {
      for (let i = 0; i < cards.length; i++) {
        if (doc.destroyed) return;
        const slot = i % perPage;
        if (slot === 0) {
          doc.addPage();
          while (doc.readableLength > MAX_UNREAD_BYTES && !doc.destroyed) await sleep(5);
        }
        const x = MARGIN + (slot % COLUMNS) * (cardW + GAP);
        const y = MARGIN + Math.floor(slot / COLUMNS) * (cardH + GAP);
        drawCard(doc, cards[i]!, sheet, x, y, cardW, cardH);
      }
      if (!cards.length) doc.addPage();
      doc.end();
    } catch (err) {
      doc.destroy(err as Error);
    }
  })();
  return doc;
}

function drawCard(doc: PDFKit.PDFDocument, card: LoginCard, sheet: CardSheet, x: number, y: number, w: number, h: number): void {
  doc.save().lineWidth(0.75).dash(4, { space: 3 }).strokeColor('#888888').roundedRect(x, y, w, h, 6).stroke().restore();
  const left = x + PAD;
  const full = w - 2 * PAD;
  // The QR code sits in the lower right corner, below the name; the sign-in lines run beside it.
  const qrSize = card.qrUrl ? Math.min(104, h - 2 * PAD - 52) : 0;
  const beside = card.qrUrl ? full - qrSize - PAD : full;
  const line = (text: string, font: string, size: number, width: number, opts: { color?: string; after?: number; lines?: number } = {}) => {
    doc
      .font(font)
      .fontSize(size)
      .fillColor(opts.color ?? '#000000');
    const lines = opts.lines ?? 1;
    doc.text(text, left, doc.y, { width, ellipsis: true, lineBreak: lines > 1, height: lines > 1 ? doc.currentLineHeight(true) * lines : undefined });
    doc.y += opts.after ?? 2;
  };
  doc.y = y + PAD;
  line(sheet.heading, PdfFont.bold, 9, full, { color: '#444444', after: 0 });
  if (sheet.subheading) line(sheet.subheading, PdfFont.regular, 8, full, { color: '#444444', after: 0 });
  doc.y += 4;
  line(card.name, PdfFont.bold, 13, full, { after: 4 });
  if (card.qrUrl) drawQr(doc, card.qrUrl, x + w - PAD - qrSize, y + h - PAD - qrSize, qrSize);
  line('Sign in at', PdfFont.regular, 7, beside, { color: '#555555', after: 0 });
  line(sheet.signInUrl, PdfFont.regular, 8.5, beside, { after: 3, lines: 2 });
  line('Username', PdfFont.regular, 7, beside, { color: '#555555', after: 0 });
  // A monospaced face's characters are 0.6 em wide: a long login gets smaller rather than broken across lines.
  line(card.login, PdfFont.monoBold, Math.max(7, Math.min(11, beside / (0.6 * card.login.length))), beside, { after: 3, lines: 2 });
  if (card.password) {
    line('Password (first use)', PdfFont.regular, 7, beside, { color: '#555555', after: 0 });
    line(card.password, PdfFont.monoBold, 13, beside, { after: 3 });
    line('You choose your own password when you first sign in.', PdfFont.italic, 7, beside, { color: '#333333', after: 0 });
  }
  if (card.qrUrl) {
    line('Or scan the code to sign in without typing.', PdfFont.regular, 7.5, beside, { after: 1, lines: 2 });
    line(`The code works once, until ${sheet.qrExpires}.`, PdfFont.italic, 7, beside, { color: '#333333', after: 0, lines: 2 });
  }
}

// Dark modules as filled rectangles, a row's run of them as one: a few hundred path segments a code.
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const cell = size / (n + 2); // two cells of the required quiet zone, one each side
  const at = (row: number, col: number) => modules.data[row * n + col] === 1;
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!at(row, col)) continue;
      let end = col;
      while (end + 1 < n && at(row, end + 1)) end++;
      doc.rect(x + (col + 1) * cell, y + (row + 1) * cell, (end - col + 1) * cell, cell);
      col = end;
    }
  }
  doc.fillColor('#000000').fill();
  // Tapping the code in a PDF viewer on the pupil's own device signs in as scanning it would.
  doc.link(x, y, size, size, text);
}
