import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { readPdf } from '../../test/helpers/pdf-text.js';
import { renderLoginCards } from '../directory/login-card-pdf.js';

// Names as rosters bring them: Vietnamese, Polish, German, Spanish, Turkish, Greek and Russian.
const NAMES = ['Nguyễn Thị Ánh', 'Łukasz Wiśniewski', 'Jürgen Groß', 'Begoña Núñez', 'Çağrı Yılmaz', 'Ελένη Παπαδοπούλου', 'Алексей Смирнов', 'Zoë O’Brien'];

describe('PDFs print every name as written', () => {
  it('login cards carry names in Latin with diacritics, Greek and Cyrillic, letter for letter', async () => {
    const cards = NAMES.map((name, i) => ({ name, login: `s${i}@lincoln`, password: 'otter-maple-4821' }));
    const bytes = await buffer(
      renderLoginCards(cards, { heading: 'Escuela Núñez — 3º', subheading: 'Ms. Ødegård', signInUrl: 'https://lectern.example/reader', qrExpires: '11 Dec', pageSize: 'letter' }),
    );
    const { text } = await readPdf(bytes);
    for (const name of NAMES) assert.ok(text.includes(name), `${name} is not in the PDF's text:\n${text}`);
    assert.ok(text.includes('Escuela Núñez — 3º'));
    assert.ok(text.includes('Ms. Ødegård'));
    // Only embedded fonts: a built-in one (Helvetica, Courier, Times…) would know Windows-1252 alone.
    assert.doesNotMatch(bytes.toString('latin1'), /\/BaseFont\s*\/(Helvetica|Courier|Times|Symbol|ZapfDingbats)/);
  });

  it('every module that makes a PDF sets it in the embedded fonts', async () => {
    const src = join(import.meta.dirname, '..');
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const makers: string[] = [];
    for (const file of files) {
      const text = await readFile(join(src, file), 'utf8');
      if (!/from 'pdfkit'/.test(text)) continue;
      makers.push(file);
      assert.match(text, /usePdfFonts\(/, `${file} makes PDFs without usePdfFonts: its names would print wrong`);
      assert.doesNotMatch(text, /'(Helvetica|Courier|Times)[-A-Za-z]*'/, `${file} names a built-in PDF font`);
    }
    assert.ok(makers.length >= 1, 'found the PDF makers');
  });
});
