/*
 * The reader end to end, in real Chromium against the real server: a rostered student signs in at
 * /reader/login with username + Suffix and the password from users.csv, opens an EPUB (epub.js)
 * and a PDF (pdf.js, worker from our origin), pages with the keyboard, the contents and a swipe,
 * and finds their place again on another device. A teacher sees a shelf per class. Screenshots of
 * each step (desktop and a 390×844 phone) go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expectAccessible } from '../helpers/accessibility.js';
import { browserSkipReason, launchBrowser, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { waitFor } from '../helpers/wait.js';
import { fileForm, pdf } from '../helpers/books.js';
import { STUDENT_PASSWORD, illustratedEpub, setUpSchool, type School } from '../reader/school.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });
// Generous: the machine running the tests may be busy (epub.js unzips and paginates in the page).
const until = <T>(check: () => T | Promise<T>, what: string) => waitFor(check, what, 30_000);
// The tests compile without DOM types: the page-side objects they touch, as far as they use them.
// (Page-side code defines no named helpers: tsx would wrap them in a function the page lacks.)
type PageImage = { complete: boolean; naturalWidth: number; decode(): Promise<void> };
type PageCanvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
type PageWindow = { getComputedStyle(element: unknown): { fontStyle: string; fontSize: string } };
const OVERFLOW = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';
const focusedText = (page: Page) => page.evaluate('document.activeElement?.textContent');
/** A one-finger horizontal swipe through the browser's input pipeline (CDP), as a phone makes it. */
async function swipe(page: Page, fromX: number, toX: number, y = 400): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: fromX, y }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: (fromX + toX) / 2, y }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: toX, y }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

describe('reader in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let school: School;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  /** A fresh browser profile (another device): its own cookies and storage. */
  const device = async (opts: Parameters<Browser['newContext']>[0] = { viewport: { width: 1280, height: 860 } }): Promise<Page> => {
    const context = await browser.newContext(opts);
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    // CSP refusals and script errors show up here; the reader must run without any. (Failed
    // requests are logged too: the signed-out session probe's 401 and the refused book's 404.)
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
    return page;
  };

  const signIn = async (page: Page, login: string, path = '/reader') => {
    await page.goto(`${server.url}${path}`);
    await page.waitForURL(/\/reader\/login/);
    await page.getByLabel('Username').fill(login);
    await page.getByLabel('Password', { exact: true }).fill(STUDENT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}${path}`);
  };

  const location = (page: Page) => page.locator('.reading-location');
  const savedProgress = (bookId: string) =>
    server.ctx.db.kysely.selectFrom('reading_progress').selectAll().where('user_id', '=', school.userIds.algebraStudent).where('book_id', '=', bookId).executeTakeFirst();

  before(async () => {
    server = await startConsoleServer();
    await server.ctx.jobs.start({ concurrency: 1 });
    school = await setUpSchool(server.ctx, server.app, '@lincoln');
    // The Algebra student also gets the PDF, directly.
    const res = await school.admin.post(`/api/customers/${school.customerId}/assignments`, { bookIds: [school.books.biology.id], userIds: [school.userIds.algebraStudent] });
    assert.equal(res.status, 200);
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });

  it('a student signs in, opens an EPUB, pages with the keyboard and the contents, and another device resumes there', async () => {
    const page = await device();
    await page.goto(`${server.url}/reader`);
    await page.waitForURL(/\/reader\/login/);
    await visible(page.getByRole('heading', { name: 'Sign in to read' }));
    await page.getByLabel('Username').fill(school.logins.algebraStudent);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'The login or password is not correct.' }));
    await screenshot(page, 'reader-01-login');
    await expectAccessible(page, 'reader-01-login');
    await page.getByLabel('Password', { exact: true }).fill(STUDENT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/reader`);

    // The bookshelf: the class's EPUB and the directly assigned PDF, with author and progress.
    await visible(page.getByRole('heading', { name: 'Sam’s bookshelf', level: 1 }));
    const shelf = page.getByRole('list', { name: 'Your books' });
    assert.deepEqual(await shelf.locator('.book-title').allTextContents(), ['Algebra Stories', 'Biology Notes']);
    assert.deepEqual(await shelf.locator('.book-author').allTextContents(), ['Nova Writer', 'Cell Expert']);
    assert.deepEqual(await shelf.locator('.book-progress-text').allTextContents(), ['Not started', 'Not started']);
    await page
      .locator('img.cover')
      .first()
      .evaluate((img) => (img as unknown as PageImage).decode());
    assert.ok(
      await page
        .locator('img.cover')
        .first()
        .evaluate((img) => (img as unknown as PageImage).naturalWidth > 0),
      'the cover image loads',
    );
    await visible(page.getByRole('link', { name: /Summer Reading/ }));
    await screenshot(page, 'reader-02-bookshelf', { docsName: 'reader-bookshelf.png' });
    await expectAccessible(page, 'reader-02-bookshelf');

    // Open the EPUB: epub.js renders the first chapter.
    await page.getByRole('link', { name: 'Algebra Stories' }).click();
    await page.waitForURL(`${server.url}/reader/books/${school.books.algebra.id}`);
    await visible(page.getByRole('heading', { name: 'Algebra Stories', level: 1 }));
    assert.equal(await focusedText(page), 'Algebra Stories', 'focus starts on the title, for screen readers');
    await until(async () => /Numbers Everywhere/.test((await location(page).textContent()) ?? ''), 'the first chapter');
    const frame = page.frameLocator('.reading-stage iframe');
    await visible(frame.getByRole('heading', { name: 'Numbers Everywhere' }));
    assert.equal(await page.getByRole('button', { name: 'Previous page' }).isDisabled(), true, 'nothing before the first page');

    // Keyboard: Arrow Right and Page Down turn forward, Arrow Left back.
    await page.keyboard.press('ArrowRight');
    await until(async () => /Solving for X/.test((await location(page).textContent()) ?? ''), 'chapter 2 after ArrowRight');
    await page.keyboard.press('PageDown');
    await until(async () => /Graphs and Lines/.test((await location(page).textContent()) ?? ''), 'chapter 3 after PageDown');
    await page.keyboard.press('ArrowLeft');
    await until(async () => /Solving for X/.test((await location(page).textContent()) ?? ''), 'back to chapter 2 after ArrowLeft');
    await page.getByRole('button', { name: 'Next page' }).click();
    await until(async () => /Graphs and Lines/.test((await location(page).textContent()) ?? ''), 'chapter 3 after the Next button');

    // The table of contents: a dialog with every chapter; choosing one goes there.
    await page.getByRole('button', { name: 'Contents' }).click();
    const toc = page.getByRole('dialog', { name: 'Contents' });
    await visible(toc);
    assert.deepEqual(await toc.locator('.toc-item').allTextContents(), ['Numbers Everywhere', 'Solving for X', 'Graphs and Lines', 'Word Problems', 'Review']);
    assert.equal(await focusedText(page), 'Graphs and Lines', 'focus moves to the chapter being read');
    assert.deepEqual(await toc.locator('[aria-current="location"]').allTextContents(), ['Graphs and Lines']);
    await screenshot(page, 'reader-03-contents');
    await expectAccessible(page, 'reader-03-contents');
    await toc.getByRole('button', { name: 'Word Problems' }).click();
    await until(async () => /Word Problems/.test((await location(page).textContent()) ?? ''), 'the chapter chosen in the contents');
    await visible(frame.getByRole('heading', { name: 'Word Problems' }));
    await screenshot(page, 'reader-04-epub');
    await expectAccessible(page, 'reader-04-epub');

    // The position is saved to the server (debounced).
    const saved = await until(async () => {
      const row = await savedProgress(school.books.algebra.id);
      return row && row.position.includes('epubcfi') && row.progress > 0.5 ? row : null;
    }, 'the saved position in Word Problems');
    assert.ok(saved.progress < 1);

    // Another device: no local state, the position comes from the server.
    const laptop = await device();
    await signIn(laptop, school.logins.algebraStudent, `/reader/books/${school.books.algebra.id}`);
    await until(async () => /Word Problems/.test((await location(laptop).textContent()) ?? ''), 'the position restored on another device');
    const laptopFrame = laptop.frameLocator('.reading-stage iframe');
    await visible(laptopFrame.getByRole('heading', { name: 'Word Problems' }));
    // A reader who clicks into the text: keys pressed inside the book's iframe still turn pages.
    await laptopFrame.getByRole('heading', { name: 'Word Problems' }).click();
    await laptop.keyboard.press('ArrowRight');
    await until(async () => /Review/.test((await location(laptop).textContent()) ?? ''), 'the last chapter after ArrowRight inside the book');
    await laptop.getByRole('link', { name: 'Back to your bookshelf' }).click();
    await visible(laptop.getByRole('list', { name: 'Your books' }));
    assert.equal(await laptop.locator('.book-progress-text').first().textContent(), 'Finished', 'the last page reached on the laptop');
  });

  it('the student opens a PDF and pages with the keyboard; a title of another class cannot be opened, not even by URL', async () => {
    const page = await device();
    await signIn(page, school.logins.algebraStudent);
    await page.getByRole('link', { name: 'Biology Notes' }).click();
    await until(async () => (await location(page).textContent())?.startsWith('Page 1 of 5'), 'page 1 of the PDF');
    // pdf.js's text layer carries the page's text (selectable, and read by screen readers).
    await visible(page.locator('.textLayer').getByText('Page 1'));
    await page.keyboard.press('ArrowRight');
    await until(async () => (await location(page).textContent())?.startsWith('Page 2 of 5'), 'page 2 after ArrowRight');
    await page.keyboard.press('PageDown');
    await until(async () => (await location(page).textContent())?.startsWith('Page 3 of 5'), 'page 3 after PageDown');
    await visible(page.locator('.textLayer').getByText('Page 3'));
    const painted = await page.locator('.pdf-page canvas').evaluate((element) => {
      const c = element as unknown as PageCanvas;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 128) dark++;
      return dark;
    });
    assert.ok(painted > 50, `the page is drawn on the canvas (${painted} dark pixels)`);
    await screenshot(page, 'reader-05-pdf');
    await expectAccessible(page, 'reader-05-pdf');
    // A PDF without an outline lists its pages as contents.
    await page.getByRole('button', { name: 'Contents' }).click();
    const toc = page.getByRole('dialog', { name: 'Contents' });
    assert.deepEqual(await toc.locator('.toc-item').allTextContents(), ['Page 1', 'Page 2', 'Page 3', 'Page 4', 'Page 5']);
    assert.deepEqual(await toc.locator('[aria-current="location"]').allTextContents(), ['Page 3']);
    await toc.getByRole('button', { name: 'Page 5' }).click();
    await until(async () => (await location(page).textContent())?.startsWith('Page 5 of 5'), 'page 5 from the contents');
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true, 'nothing after the last page');
    await page.keyboard.press('PageUp');
    await page.keyboard.press('ArrowLeft');
    await until(async () => (await location(page).textContent())?.startsWith('Page 3 of 5'), 'back to page 3');
    await until(async () => (await savedProgress(school.books.biology.id))?.position === '3', 'page 3 saved');

    await page.goto(`${server.url}/reader/books/${school.books.direct.id}`);
    await visible(page.getByRole('alert').filter({ hasText: 'This book is not on your bookshelf' }));
  });

  it('pdf.js reads a large PDF with Range requests (206) from the reader API', async () => {
    const atlas = pdf({ title: 'Big Atlas', author: 'Map Maker', pages: 1500 });
    const f = fileForm(atlas, 'atlas.pdf');
    const uploaded = await school.admin.request<{ id: string }>('POST', `/api/customers/${school.customerId}/content`, f.body, f.headers);
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    assert.equal((await school.admin.post(`/api/customers/${school.customerId}/assignments`, { bookIds: [uploaded.body.id], userIds: [school.userIds.algebraStudent] })).status, 200);
    const page = await device();
    const ranged: { status: number; bytes: number }[] = [];
    page.on('response', (res) => {
      if (res.url().endsWith(`/api/reader/books/${uploaded.body.id}/file`) && res.request().headers().range) ranged.push({ status: res.status(), bytes: Number(res.headers()['content-length']) });
    });
    await signIn(page, school.logins.algebraStudent, `/reader/books/${uploaded.body.id}`);
    await until(async () => (await location(page).textContent())?.startsWith('Page 1 of 1500'), 'page 1 of the atlas');
    await visible(page.locator('.textLayer').getByText('Page 1', { exact: true }));
    // (How much is fetched depends on the file: pdf.js checks the last page at open, and this
    // generated PDF keeps all 1,500 pages in one flat list, so here it reads most of the file.)
    assert.ok(ranged.length > 1 && ranged.every((r) => r.status === 206 && r.bytes < atlas.length), `pieces of the file, answered 206 (${JSON.stringify(ranged)})`);
    await page.getByRole('button', { name: 'Contents' }).click();
    await page.getByRole('dialog', { name: 'Contents' }).getByRole('button', { name: 'Page 1400', exact: true }).click();
    await until(async () => (await location(page).textContent())?.startsWith('Page 1400 of 1500'), 'page 1400');
    await visible(page.locator('.textLayer').getByText('Page 1400'));
  });

  it('an EPUB’s stylesheet and images (blob: URLs from epub.js) load under the reader’s CSP; a collection lists its titles', async () => {
    const f = fileForm(await illustratedEpub('Picture Book'), 'pictures.epub');
    const uploaded = await school.admin.request<{ id: string }>('POST', `/api/customers/${school.customerId}/content`, f.body, f.headers);
    assert.equal(uploaded.status, 201);
    assert.equal((await school.admin.post(`/api/customers/${school.customerId}/assignments`, { bookIds: [uploaded.body.id], userIds: [school.userIds.algebraStudent] })).status, 200);
    const page = await device();
    await signIn(page, school.logins.algebraStudent, `/reader/books/${uploaded.body.id}`);
    const frame = page.frameLocator('.reading-stage iframe');
    await visible(frame.getByRole('heading', { name: 'Pictures' }));
    const picture = frame.getByRole('img', { name: 'A red square' });
    await until(() => picture.evaluate((img) => (img as unknown as PageImage).complete && (img as unknown as PageImage).naturalWidth === 120), 'the picture to load');
    assert.match((await picture.getAttribute('src')) ?? '', /^blob:/);
    const fontStyle = () => frame.locator('.styled').evaluate((p) => (globalThis as unknown as PageWindow).getComputedStyle(p).fontStyle);
    await until(async () => (await fontStyle()) === 'italic', 'the book’s stylesheet to apply');
    await screenshot(page, 'reader-illustrated', { docsName: 'reader-epub.png' });
    await expectAccessible(page, 'reader-illustrated');
    // Paging inside a chapter: same chapter, a later position.
    const before = (await location(page).textContent()) ?? '';
    assert.match(before, /^Pictures · \d+%/);
    await page.keyboard.press('ArrowRight');
    await until(async () => {
      const now = (await location(page).textContent()) ?? '';
      return now !== before && now.startsWith('Pictures · ') ? now : null;
    }, 'the next page of the same chapter');
    assert.equal(await page.getByRole('button', { name: 'Previous page' }).isDisabled(), false);

    // Larger text reflows the book; the choice is saved with the reader’s settings.
    const fontSize = () => frame.locator('.styled').evaluate((p) => parseFloat((globalThis as unknown as PageWindow).getComputedStyle(p).fontSize));
    const normal = await fontSize();
    await page.getByRole('button', { name: 'Larger text' }).click();
    await page.getByRole('button', { name: 'Larger text' }).click();
    await until(async () => (await fontSize()) > normal * 1.25, 'larger text');
    assert.equal(await page.getByRole('group', { name: 'Text size 130%' }).count(), 1);
    await page.reload();
    await visible(frame.getByRole('heading', { name: 'Pictures' }));
    await until(async () => (await fontSize()) > normal * 1.25, 'the text size kept after a reload');

    await page.getByRole('link', { name: 'Back to your bookshelf' }).click();
    await page.getByRole('link', { name: /Summer Reading/ }).click();
    await visible(page.getByRole('heading', { name: 'Summer Reading', level: 1 }));
    assert.deepEqual(await page.getByRole('list', { name: 'Books in Summer Reading' }).locator('.book-title').allTextContents(), ['Algebra Stories']);
    assert.deepEqual(errors, [], 'no CSP refusals or script errors');
  });

  it('a teacher who signs in at the console’s sign-in page lands in the reader, with a shelf per class', async () => {
    const page = await device();
    await signInToConsole(page, server.url, school.logins.teacher, STUDENT_PASSWORD, `${server.url}/reader`);
    const tabs = page.getByRole('tablist', { name: 'Bookshelves' });
    await visible(tabs);
    assert.deepEqual(await tabs.getByRole('tab').allTextContents(), ['My books', 'Algebra P1', 'Biology P3']);
    await tabs.getByRole('tab', { name: 'Biology P3' }).click();
    const panel = page.getByRole('tabpanel');
    await visible(panel.getByRole('list', { name: 'Books for Biology P3' }));
    assert.deepEqual(await panel.locator('.book-title').allTextContents(), ['Biology Notes']);
    await page.keyboard.press('ArrowLeft');
    await visible(page.getByRole('tabpanel').getByRole('list', { name: 'Books for Algebra P1' }));
    assert.deepEqual(await page.getByRole('tabpanel').locator('.book-title').allTextContents(), ['Algebra Stories']);
    await screenshot(page, 'reader-06-teacher', { docsName: 'reader-teacher.png' });
    await expectAccessible(page, 'reader-06-teacher');
  });

  it('only the reader’s pages allow blob: images, styles and fonts (epub.js); scripts stay same-origin everywhere', async () => {
    const policy = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200, path);
      return res.headers.get('content-security-policy') ?? '';
    };
    for (const path of ['/reader', '/reader/login', `/reader/books/${school.books.algebra.id}`]) {
      const csp = await policy(path);
      assert.match(csp, /img-src 'self' data: blob:/, path);
      assert.match(csp, /style-src 'self' 'unsafe-inline' blob:/, path);
      assert.match(csp, /font-src 'self' data: blob:/, path);
      assert.match(csp, /script-src 'self';/, path);
    }
    for (const path of ['/login', '/customers']) assert.doesNotMatch(await policy(path), /blob:/, path);
  });

  it('works on a phone: shelf, book, and a swipe turns the page', async () => {
    const page = await device(PHONE);
    await signIn(page, school.logins.algebraStudent);
    await visible(page.getByRole('list', { name: 'Your books' }));
    const overflow = await page.evaluate(OVERFLOW);
    assert.equal(overflow, 0, 'nothing wider than the phone');
    await screenshot(page, 'reader-07-phone-shelf', { docsName: 'reader-phone-shelf.png' });
    await expectAccessible(page, 'reader-07-phone-shelf');

    await page.getByRole('link', { name: 'Biology Notes' }).click();
    await until(async () => (await location(page).textContent())?.startsWith('Page 3 of 5'), 'the PDF reopens on page 3');
    // A swipe from right to left is the next page.
    await swipe(page, 330, 60);
    await until(async () => (await location(page).textContent())?.startsWith('Page 4 of 5'), 'page 4 after a swipe');
    const bookOverflow = await page.evaluate(OVERFLOW);
    assert.equal(bookOverflow, 0, 'the page, the bars and the buttons fit the phone');
    await visible(page.getByRole('button', { name: 'Next page' }));
    await visible(page.getByRole('button', { name: 'Contents' }));
    await screenshot(page, 'reader-08-phone-pdf');
    await expectAccessible(page, 'reader-08-phone-pdf');

    await page.getByRole('link', { name: 'Back to your bookshelf' }).click();
    await page.getByRole('link', { name: 'Algebra Stories' }).click();
    await until(async () => /Review/.test((await location(page).textContent()) ?? ''), 'the EPUB reopens where the student stopped (on the laptop)');
    const frame = page.frameLocator('.reading-stage iframe');
    await visible(frame.getByRole('heading', { name: 'Review' }));
    await screenshot(page, 'reader-09-phone-epub', { docsName: 'reader-phone-epub.png' });
    await expectAccessible(page, 'reader-09-phone-epub');
    // A swipe from left to right inside the book (epub.js passes the iframe's touches on) goes back.
    await swipe(page, 60, 330);
    await until(async () => /Word Problems/.test((await location(page).textContent()) ?? ''), 'the previous chapter after a swipe');
    await visible(frame.getByRole('heading', { name: 'Word Problems' }));
    await screenshot(page, 'reader-10-phone-epub-swiped');
    await expectAccessible(page, 'reader-10-phone-epub-swiped');
    assert.deepEqual(errors, [], 'no console errors (CSP refusals, script errors)');
  });
});
