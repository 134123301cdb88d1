/*
 * The web build's language catalogues (web/src/i18n/*.json) stay complete: a page loads only its own
 * language (no English fallback is fetched), so every language must have every namespace and key of
 * English, with the same {{placeholders}} and <n> tags, and nothing English lacks.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';

const DIR = path.resolve(import.meta.dirname, '../../web/src/i18n');
type Tree = { [key: string]: string | Tree };
type Catalogue = Record<string, Tree>;
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Catalogue;
// Every `ns:key` with its text; nested keys are joined with dots, as i18next reads them.
const flat = (c: Catalogue) => {
  const out = new Map<string, string>();
  const walk = (prefix: string, tree: Tree) => {
    for (const [k, v] of Object.entries(tree)) {
      if (typeof v === 'string') out.set(`${prefix}${k}`, v);
      else walk(`${prefix}${k}.`, v);
    }
  };
  for (const [ns, tree] of Object.entries(c)) walk(`${ns}:`, tree);
  return out;
};
const marks = (text: string) => [...text.matchAll(/\{\{\s*(\w+)(?:,\s*\w+)?\s*\}\}|<(\d+)>/g)].map((m) => m[0].replace(/\s/g, '')).sort();

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));

it('has English and Spanish catalogues, each a JSON object of namespaces', () => {
  assert.ok(files.includes('en.json') && files.includes('es.json'), files.join(', '));
  for (const file of files) for (const [ns, keys] of Object.entries(read(file))) assert.equal(typeof keys, 'object', `${file}: ${ns} is a namespace`);
});

for (const file of files.filter((f) => f !== 'en.json')) {
  it(`${file} has every string of en.json, with the same placeholders, and no other`, () => {
    const english = flat(read('en.json'));
    const other = flat(read(file));
    assert.deepEqual(
      [...english.keys()].filter((k) => !other.has(k)),
      [],
      'missing',
    );
    assert.deepEqual(
      [...other.keys()].filter((k) => !english.has(k)),
      [],
      'not in English',
    );
    for (const [key, text] of english) {
      const translated = other.get(key) ?? '';
      assert.ok(translated.trim(), `${key} is translated`);
      assert.deepEqual(marks(translated), marks(text), `${key}: the same placeholders and tags`);
    }
  });
}
