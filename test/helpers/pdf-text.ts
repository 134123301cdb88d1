/** The text of every page of a PDF (one line per text item), the addresses its links open, its page count and first page's size (points). */
export async function readPdf(bytes: Uint8Array): Promise<{ text: string; links: string[]; pages: number; size: [number, number] }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0 });
  const doc = await task.promise;
  const text: string[] = [];
  const links: string[] = [];
  const [, , width = 0, height = 0] = (await doc.getPage(1)).view;
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    text.push(content.items.map((i) => ('str' in i ? i.str : '')).join('\n'));
    for (const a of (await page.getAnnotations()) as { url?: string }[]) if (a.url) links.push(a.url);
  }
  const pages = doc.numPages;
  await task.destroy();
  return { text: text.join('\n'), links, pages, size: [Math.round(width), Math.round(height)] };
}

/** The first-use passwords printed on login cards ("otter-maple-4821"). */
export const CARD_PASSWORD = /\b[a-z]+-[a-z]+-\d{4}\b/g;

/** The first-use password on the card of `login`: the first one printed after it. */
export function cardPasswordOf(text: string, login: string): string {
  const lines = text.split('\n');
  const found = lines.slice(lines.indexOf(login)).find((l) => new RegExp(`^${CARD_PASSWORD.source}$`).test(l));
  if (!found) throw new Error(`no card password after ${login}`);
  return found;
}
