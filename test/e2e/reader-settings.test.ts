/*
 * The reader's settings and languages in real Chromium against the real server: a PDF zooms (buttons,
 * + and −, fit width, fit page, kept per title for the session) and its whole page stays reachable
 * above the footer on a desktop and a phone; an EPUB takes the dyslexia-friendly font, loose line
 * spacing and the high-contrast theme, which are saved for the reader and come back after a reload;
 * the reader switches to Spanish, and a browser that asks for Spanish gets it on the first visit,
 * down to replacing a password the school set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { expectAccessible } from '../helpers/accessibility.js';
import { browserSkipReason, launchBrowser, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { fileForm } from '../helpers/books.js';
import { waitFor } from '../helpers/wait.js';
import { STUDENT_PASSWORD, illustratedEpub, setUpSchool, type School } from '../reader/school.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });
const until = <T>(check: () => T | Promise<T>, what: string) => waitFor(check, what, 30_000);
// Page-side objects as far as the tests touch them (the tests compile without DOM types).
type PageElement = { scrollTop: number; scrollHeight: number; clientHeight: number; scrollWidth: number; clientWidth: number };
type PageWindow = { getComputedStyle(element: unknown): { fontFamily: string; lineHeight: string; fontSize: string; color: string; backgroundColor: string } };
type PageFonts = { document: { fonts: { check(font: string): boolean } } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 860 } };

describe('reader settings, zoom and languages in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let school: School;
  let pictureBook: string;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  const device = async (opts: Parameters<Browser['newContext']>[0] = DESKTOP): Promise<Page> => {
    const context = await browser.newContext(opts);
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
    return page;
  };
  const signIn = async (page: Page, login: string, path: string, words = { username: 'Username', password: 'Password', signIn: 'Sign in' }) => {
    await page.goto(`${server.url}${path}`);
    await page.waitForURL(/\/reader\/login/);
    await page.getByLabel(words.username).fill(login);
    await page.getByLabel(words.password, { exact: true }).fill(STUDENT_PASSWORD);
    await page.getByRole('button', { name: words.signIn }).click();
    await page.waitForURL(`${server.url}${path}`);
  };
  const location = (page: Page) => page.locator('.reading-location');
  const box = async (l: Locator) => {
    const b = await l.boundingBox();
    assert.ok(b, 'the element is on screen');
    return { top: b.y, bottom: b.y + b.height, left: b.x, right: b.x + b.width, width: b.width, height: b.height };
  };
  /** The PDF page's lower edge is on screen, above the footer and inside the stage, once scrolled to the end. */
  const assertPageBottomReachable = async (page: Page, what: string) => {
    const stage = page.locator('.reading-stage');
    await stage.evaluate((el) => {
      const s = el as unknown as PageElement;
      s.scrollTop = s.scrollHeight;
    });
    const [pdfPage, footer, stageBox, bar] = await Promise.all([box(page.locator('.pdf-page')), box(page.locator('.reading-footer')), box(stage), box(page.locator('.reading-bar'))]);
    const viewport = page.viewportSize();
    assert.ok(pdfPage.bottom <= footer.top + 0.5, `${what}: the page's lower edge (${pdfPage.bottom}) is above the footer (${footer.top})`);
    assert.ok(pdfPage.bottom <= stageBox.bottom + 0.5, `${what}: the lower edge (${pdfPage.bottom}) is inside the stage (${stageBox.bottom}), not cut off`);
    assert.ok(footer.bottom <= (viewport?.height ?? 0) + 0.5, `${what}: the footer is on screen`);
    assert.ok(stageBox.top >= bar.bottom - 0.5, `${what}: the stage starts under the bar`);
  };
  const zoomPercent = async (page: Page) => Number(((await page.locator('.zoom-level').textContent()) ?? '').replace('%', ''));
  const styled = (frame: FrameLocator) => frame.locator('.styled');
  const computed = (frame: FrameLocator) => styled(frame).evaluate((p) => (globalThis as unknown as PageWindow).getComputedStyle(p));

  before(async () => {
    server = await startConsoleServer();
    await server.ctx.jobs.start({ concurrency: 1 });
    school = await setUpSchool(server.ctx, server.app, '@lincoln');
    const f = fileForm(await illustratedEpub('Picture Book'), 'pictures.epub');
    const uploaded = await school.admin.request<{ id: string }>('POST', `/api/customers/${school.customerId}/content`, f.body, f.headers);
    assert.equal(uploaded.status, 201);
    pictureBook = uploaded.body.id;
    const assigned = await school.admin.post(`/api/customers/${school.customerId}/assignments`, { bookIds: [school.books.biology.id, pictureBook], userIds: [school.userIds.algebraStudent] });
    assert.equal(assigned.status, 200);
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });

  it('zooms a PDF with the buttons and the keyboard; the whole page stays reachable above the footer; the zoom is kept for the title this session', async () => {
    const page = await device();
    const url = `/reader/books/${school.books.biology.id}`;
    await signIn(page, school.logins.algebraStudent, url);
    await until(async () => (await location(page).textContent())?.startsWith('Page 1 of 5'), 'page 1');
    await visible(page.locator('.textLayer').getByText('Page 1'));
    // Fitted: the whole page is on screen between the bars, without scrolling.
    await assertPageBottomReachable(page, 'fit page');
    const fitted = await box(page.locator('.pdf-page'));
    const fittedPercent = await zoomPercent(page);
    assert.ok(fittedPercent > 0, 'the zoom level is shown');
    assert.equal(await page.getByRole('button', { name: 'Fit page' }).getAttribute('aria-pressed'), 'true');

    await page.getByRole('button', { name: 'Zoom in' }).click();
    await until(async () => (await zoomPercent(page)) > fittedPercent, 'zoomed in once');
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await until(async () => (await box(page.locator('.pdf-page'))).height > fitted.height * 1.3, 'a larger page');
    const zoomed = await zoomPercent(page);
    assert.equal(await page.getByRole('group', { name: `Zoom ${zoomed}%` }).count(), 1, 'the zoom group names its level');
    const scrolls = await page.locator('.reading-stage').evaluate((el) => (el as unknown as PageElement).scrollHeight > (el as unknown as PageElement).clientHeight);
    assert.ok(scrolls, 'a zoomed page scrolls inside the stage');
    await assertPageBottomReachable(page, 'zoomed in');
    await screenshot(page, 'reader-settings-01-pdf-zoomed');
    await expectAccessible(page, 'PDF zoom toolbar');

    // The keyboard: − and + step the zoom, the arrows still turn pages.
    await page.keyboard.press('-');
    await until(async () => (await zoomPercent(page)) < zoomed, 'zoomed out with −');
    await page.keyboard.press('+');
    await until(async () => (await zoomPercent(page)) === zoomed, 'zoomed in with +');
    await page.keyboard.press('ArrowRight');
    await until(async () => (await location(page).textContent())?.startsWith('Page 2 of 5'), 'page 2 at the same zoom');
    assert.equal(await zoomPercent(page), zoomed);
    const top = await page.locator('.reading-stage').evaluate((el) => (el as unknown as PageElement).scrollTop);
    assert.equal(top, 0, 'a new page starts at its top');

    // Fit width: the page is as wide as the stage's content.
    await page.getByRole('button', { name: 'Fit width' }).click();
    const stage = await box(page.locator('.reading-stage'));
    await until(async () => Math.abs((await box(page.locator('.pdf-page'))).width - (stage.width - 48)) <= 2, 'the page as wide as the stage (less its padding)');
    await assertPageBottomReachable(page, 'fit width');

    // A reload keeps the zoom of this title (this session).
    await page.reload();
    await until(async () => (await location(page).textContent())?.startsWith('Page 2 of 5'), 'reopened on page 2');
    await until(async () => (await page.getByRole('button', { name: 'Fit width' }).getAttribute('aria-pressed')) === 'true', 'fit width kept after a reload');
    await page.getByRole('button', { name: 'Fit page' }).click();
    await until(async () => Math.abs((await box(page.locator('.pdf-page'))).height - fitted.height) <= 2, 'fitted again');
    await assertPageBottomReachable(page, 'fit page again');

    // Another device (session) starts fitted; on a phone the whole page is reachable too.
    const phone = await device(PHONE);
    await signIn(phone, school.logins.algebraStudent, url);
    await until(async () => (await location(phone).textContent())?.startsWith('Page 2 of 5'), 'the phone opens on page 2');
    assert.equal(await phone.getByRole('button', { name: 'Fit page' }).getAttribute('aria-pressed'), 'true');
    await assertPageBottomReachable(phone, 'phone, fit page');
    await phone.getByRole('button', { name: 'Zoom in' }).click();
    await phone.getByRole('button', { name: 'Zoom in' }).click();
    await until(
      async () => (await phone.locator('.reading-stage').evaluate((el) => (el as unknown as PageElement).scrollWidth > (el as unknown as PageElement).clientWidth)) === true,
      'a zoomed page wider than the phone',
    );
    await assertPageBottomReachable(phone, 'phone, zoomed');
    assert.equal(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 0, 'the zoomed page scrolls inside the stage, not the screen');
    await screenshot(phone, 'reader-settings-02-phone-pdf-zoomed');
  });

  it('applies the dyslexia-friendly font, loose line spacing and high contrast to an EPUB, and remembers them for the reader', async () => {
    const page = await device();
    const fonts: { url: string; status: number }[] = [];
    page.on('response', (res) => res.url().endsWith('.woff2') && fonts.push({ url: res.url(), status: res.status() }));
    await signIn(page, school.logins.algebraStudent, `/reader/books/${pictureBook}`);
    const frame = page.frameLocator('.reading-stage iframe');
    await visible(frame.getByRole('heading', { name: 'Pictures' }));
    const before = await computed(frame);
    assert.doesNotMatch(before.fontFamily, /OpenDyslexic/);

    await page.getByRole('button', { name: 'Display settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Display settings' });
    await visible(dialog);
    await dialog.getByRole('radio', { name: /OpenDyslexic/ }).check();
    await until(async () => /OpenDyslexic/.test((await computed(frame)).fontFamily), 'the dyslexia font on the book’s text');
    // The font file is ours (served by Lectern, not a CDN) and really loads in the book's frame.
    await until(() => fonts.some((f) => f.status === 200 && f.url.startsWith(`${server.url}/assets/opendyslexic-latin-400-normal`)), 'the OpenDyslexic font file served by Lectern');
    await until(() => styled(frame).evaluate(() => (globalThis as unknown as PageFonts).document.fonts.check('16px OpenDyslexic')), 'the font to be ready in the book’s frame');
    await dialog.getByRole('radio', { name: 'Loose' }).check();
    await until(async () => {
      const s = await computed(frame);
      return Math.abs(parseFloat(s.lineHeight) - 2.4 * parseFloat(s.fontSize)) < 1;
    }, 'line spacing 2.4');
    await dialog.getByRole('radio', { name: 'High contrast' }).check();
    await until(async () => (await computed(frame)).color === 'rgb(255, 255, 255)', 'white book text');
    const frameBackground = await frame.locator('body').evaluate((b) => (globalThis as unknown as PageWindow).getComputedStyle(b).backgroundColor);
    assert.equal(frameBackground, 'rgb(0, 0, 0)');
    await dialog.getByRole('button', { name: 'Larger text' }).click();
    assert.equal(await page.getByRole('group', { name: 'Text size 115%' }).count(), 2, 'the bar’s and the dialog’s text size agree');
    await screenshot(page, 'reader-settings-03-dialog', { docsName: 'reader-settings.png' });
    await expectAccessible(page, 'display settings dialog');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The chrome is high contrast too.
    const chrome = async (selector: string) => page.locator(selector).evaluate((el) => (globalThis as unknown as PageWindow).getComputedStyle(el));
    for (const selector of ['.reading-bar', '.reading-footer']) {
      const s = await chrome(selector);
      assert.deepEqual([s.backgroundColor, s.color], ['rgb(0, 0, 0)', 'rgb(255, 255, 255)'], selector);
    }
    await expectAccessible(page, 'reader in the high-contrast theme');
    await until(async () => {
      const row = await server.ctx.db.kysely.selectFrom('reader_settings').selectAll().where('user_id', '=', school.userIds.algebraStudent).executeTakeFirst();
      return row?.font === 'dyslexic' && row.line_spacing === 'loose' && row.theme === 'high-contrast' && row.font_size === 115;
    }, 'the settings saved for the reader');

    // Reload: everything comes back from the server.
    await page.reload();
    await visible(frame.getByRole('heading', { name: 'Pictures' }));
    await until(async () => {
      const s = await computed(frame);
      return /OpenDyslexic/.test(s.fontFamily) && s.color === 'rgb(255, 255, 255)';
    }, 'font and contrast after a reload');
    assert.equal(await page.getByRole('group', { name: 'Text size 115%' }).count(), 1);
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'high-contrast');
    // The shelf is high contrast as well.
    await page.getByRole('link', { name: 'Back to your bookshelf' }).click();
    await visible(page.getByRole('list', { name: 'Your books' }));
    assert.equal((await chrome('.reader-main')).color, 'rgb(255, 255, 255)');
    await screenshot(page, 'reader-settings-04-shelf-contrast');
    assert.deepEqual(errors, [], 'no script errors or CSP refusals');
  });

  it('switches to Spanish and keeps it for the reader; a browser that asks for Spanish gets it on the first visit', async () => {
    const page = await device();
    await signIn(page, school.logins.directStudent, '/reader');
    await visible(page.getByRole('list', { name: 'Your books' }));
    await page.getByLabel('Language').selectOption('es');
    await visible(page.getByRole('list', { name: 'Tus libros' }));
    await visible(page.getByRole('heading', { name: 'Estantería de Sue', level: 1 }));
    await visible(page.getByRole('button', { name: 'Cerrar sesión' }));
    assert.equal(await page.evaluate('document.documentElement.lang'), 'es');
    assert.deepEqual(await page.locator('.book-progress-text').allTextContents(), ['Sin empezar']);
    await screenshot(page, 'reader-settings-05-spanish-shelf', { docsName: 'reader-spanish.png' });
    await expectAccessible(page, 'Spanish bookshelf');
    await until(async () => {
      const row = await server.ctx.db.kysely.selectFrom('reader_settings').select('language').where('user_id', '=', school.userIds.directStudent).executeTakeFirst();
      return row?.language === 'es';
    }, 'Spanish saved for the reader');

    // Another device in English: the reader's saved language wins once signed in.
    const other = await device();
    await signIn(other, school.logins.directStudent, '/reader');
    await visible(other.getByRole('list', { name: 'Tus libros' }));
    await other.getByRole('link', { name: 'Direct Reading' }).click();
    await visible(other.getByRole('button', { name: 'Página siguiente' }));
    await visible(other.getByRole('button', { name: 'Índice' }));
    await visible(other.getByRole('link', { name: 'Volver a tu estantería' }));

    // First visit from a browser that asks for Spanish (Accept-Language and navigator.language).
    const spanish = await device({ ...DESKTOP, locale: 'es-ES' });
    await spanish.goto(`${server.url}/reader`);
    await spanish.waitForURL(/\/reader\/login/);
    await visible(spanish.getByRole('heading', { name: 'Inicia sesión para leer' }));
    await spanish.getByLabel('Nombre de usuario').fill(school.logins.biologyStudent);
    await spanish.getByLabel('Contraseña', { exact: true }).fill('no-es-la-clave');
    await spanish.getByRole('button', { name: 'Iniciar sesión' }).click();
    await visible(spanish.getByRole('alert').filter({ hasText: 'El usuario o la contraseña no son correctos.' }));
    assert.equal(await spanish.evaluate('document.documentElement.lang'), 'es');
    // The switch works signed out too, and is kept on the device.
    await spanish.getByLabel('Idioma').selectOption('en');
    await visible(spanish.getByRole('heading', { name: 'Sign in to read' }));
    await spanish.reload();
    await visible(spanish.getByRole('heading', { name: 'Sign in to read' }));
    await spanish.getByLabel('Language').selectOption('es');
    await visible(spanish.getByRole('heading', { name: 'Inicia sesión para leer' }));

    // A password the school set is replaced first, in the reader and in Spanish; then the shelf.
    await server.ctx.db.kysely.updateTable('users').set({ must_change_password: 1 }).where('id', '=', school.userIds.biologyStudent).execute();
    await spanish.getByLabel('Nombre de usuario').fill(school.logins.biologyStudent);
    await spanish.getByLabel('Contraseña', { exact: true }).fill(STUDENT_PASSWORD);
    await spanish.getByRole('button', { name: 'Iniciar sesión' }).click();
    await visible(spanish.getByRole('heading', { name: 'Elige una contraseña nueva' }));
    await spanish.getByRole('button', { name: 'Guardar y continuar' }).click();
    await visible(spanish.getByText('Escribe tu contraseña actual.'));
    await spanish.getByLabel('Contraseña actual').fill(STUDENT_PASSWORD);
    await spanish.getByLabel('Contraseña nueva', { exact: true }).fill('Lectura-nueva-2031!');
    await spanish.getByLabel('Repite la contraseña nueva').fill('Lectura-nueva-2031!');
    await spanish.getByRole('button', { name: 'Guardar y continuar' }).click();
    await visible(spanish.getByRole('list', { name: 'Tus libros' }));
    assert.equal(spanish.url(), `${server.url}/reader`);
    assert.deepEqual(errors, [], 'no script errors or CSP refusals');
  });
});
