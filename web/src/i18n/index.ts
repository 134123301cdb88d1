/*
 * The web build's languages through i18next. Every `<tag>.json` in this folder is a language: its
 * top-level keys are namespaces (`common`, `auth`, `shelf`, …), so the console's strings can move in
 * as namespaces of their own, and adding a language is adding a file. Each catalogue is its own chunk
 * (import.meta.glob, lazy): a page loads only the language it shows.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

type Catalogue = Record<string, Record<string, unknown>>;

const catalogues = import.meta.glob<Catalogue>('./*.json', { import: 'default' });

/** The language tags there is a catalogue for, such as `en` and `es`. */
export const LANGUAGES: readonly string[] = Object.keys(catalogues)
  .map((file) => file.replace(/^\.\/(.*)\.json$/, '$1'))
  .sort();

/** The language the server writes its messages in; the `errors` namespace translates them for the others. */
export const SERVER_LANGUAGE = 'en';
const FALLBACK = SERVER_LANGUAGE;
const STORAGE_KEY = 'lectern.language';

/** The first of `wanted` (language tags, best first) that has a catalogue, by exact tag or by its base language. */
export function pickLanguage(wanted: readonly string[]): string {
  for (const tag of wanted) {
    const lower = tag.toLowerCase();
    const match = LANGUAGES.find((l) => l.toLowerCase() === lower) ?? LANGUAGES.find((l) => l === lower.split('-')[0]);
    if (match) return match;
  }
  return FALLBACK;
}

/** The language this device asks for: one chosen here before (signed out), else the browser's. */
export function deviceLanguage(): string {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  return pickLanguage([...(stored ? [stored] : []), ...navigator.languages]);
}

/** A language's own name for itself ("English", "español"), for the language switch. */
export function languageName(tag: string): string {
  const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
  return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
}

async function load(lng: string): Promise<void> {
  if (i18next.hasResourceBundle(lng, 'common')) return;
  const file = catalogues[`./${lng}.json`];
  if (!file) return;
  for (const [ns, strings] of Object.entries(await file())) i18next.addResourceBundle(lng, ns, strings, true, true);
}

/**
 * Shows the page in `lng` (or the best language there is for it), loading its catalogue first;
 * `remember` keeps the choice on this device for the pages seen before signing in.
 */
export async function setLanguage(lng: string, opts: { remember?: boolean } = {}): Promise<void> {
  const chosen = pickLanguage([lng]);
  await load(chosen);
  await i18next.changeLanguage(chosen);
  document.documentElement.lang = chosen;
  if (opts.remember) window.localStorage.setItem(STORAGE_KEY, chosen);
}

/**
 * The locale dates and numbers are written in: the browser's own variant of the page's language
 * (en-GB for an English page in a British browser), else the language itself.
 */
export function formatLocale(): string {
  const lng = i18next.language || FALLBACK;
  return navigator.languages.find((tag) => tag.toLowerCase().split('-')[0] === lng.toLowerCase()) ?? lng;
}

/**
 * The words for an API error code in the page's language, or undefined to keep the server's own
 * message: in the server's language its message is the truest (it may say more than the code).
 */
export function errorText(code: string): string | undefined {
  if (i18next.language === SERVER_LANGUAGE || !i18next.exists(`errors:${code}`)) return undefined;
  return i18next.t(`errors:${code}`);
}

/** Forgets a language chosen on this device, so the browser's language applies again. */
export function forgetDeviceLanguage(): void {
  window.localStorage.removeItem(STORAGE_KEY);
}

/** Starts i18next in the device's language; render once it resolves, so no English flashes first. */
export async function startI18n(): Promise<void> {
  const lng = deviceLanguage();
  // No fallback language: it would load a second catalogue. A test keeps every catalogue complete.
  await i18next.use(initReactI18next).init({ lng, fallbackLng: false, resources: {}, defaultNS: 'common', interpolation: { escapeValue: false }, partialBundledLanguages: true });
  await setLanguage(lng);
}
