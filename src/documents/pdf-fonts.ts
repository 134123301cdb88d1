import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The faces every PDF of Lectern's is set in. PDF's built-in fonts (Helvetica, Courier) know only
 * the Windows-1252 characters, so a roster's "Nguyễn Thị Ánh", "Łukasz" or "Алексей" printed as
 * wrong letters. DejaVu (npm `dejavu-fonts-ttf`, a free licence) covers Latin with Vietnamese,
 * Greek, Cyrillic and more, and pdfkit embeds only the glyphs a document uses. Not covered: CJK
 * scripts, and right-to-left line order.
 */
export const PdfFont = {
  regular: 'Lectern-Sans',
  bold: 'Lectern-Sans-Bold',
  italic: 'Lectern-Sans-Oblique',
  mono: 'Lectern-Mono',
  monoBold: 'Lectern-Mono-Bold',
} as const;

const FILES: Record<(typeof PdfFont)[keyof typeof PdfFont], string> = {
  [PdfFont.regular]: 'DejaVuSans.ttf',
  [PdfFont.bold]: 'DejaVuSans-Bold.ttf',
  [PdfFont.italic]: 'DejaVuSans-Oblique.ttf',
  [PdfFont.mono]: 'DejaVuSansMono.ttf',
  [PdfFont.monoBold]: 'DejaVuSansMono-Bold.ttf',
};

let loaded: Map<string, Buffer> | null = null;

// Read once per process: a document parses the bytes itself, but need not read the disk.
function fontFiles(): Map<string, Buffer> {
  if (!loaded) {
    // One literal path, so that the dependency wall sees which package the files come from.
    const dir = path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
    loaded = new Map(Object.entries(FILES).map(([name, file]) => [name, readFileSync(path.join(dir, file))]));
  }
  return loaded;
}

/** Registers Lectern's faces on a pdfkit document and makes the regular one current. */
export function usePdfFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, bytes] of fontFiles()) doc.registerFont(name, bytes);
  doc.font(PdfFont.regular);
}
