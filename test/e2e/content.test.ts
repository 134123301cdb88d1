/*
 * The Content area end to end, in real Chromium against the real server: after a roster import, a
 * customer admin uploads an EPUB (title, author and cover read from it), sees the cover in the
 * titles table, is told inline that a text file named .pdf is not a book, assigns the EPUB to a
 * class with the search picker, bulk-assigns a collection from the Class tab, and the class's
 * students can read both. Screenshots: content-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { booksForUser } from '../../src/content/assignment-repository.js';
import { zipSource } from '../../src/rostering/runs/zip-source.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { seedCustomer } from '../helpers/app.js';
import { epub3, pdf, writeBookFile } from '../helpers/books.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { district11, writeBundle } from '../helpers/bundles.js';
import { waitFor } from '../helpers/wait.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });

describe('Content in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;

  before(async () => {
    server = await startConsoleServer();
    customer = await seedCustomer(server.ctx, {
      profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' },
      rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: '@lincoln' },
    });
    const bundle = await writeBundle(district11());
    const run = await server.ctx.runs.create(operatorActor, customer.id, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 1, sha256: 'x', bundlePath: bundle, dryRun: false });
    assert.equal((await server.ctx.runs.execute(run.runId, customer.id, zipSource(bundle))).status, 'succeeded');
    browser = await launchBrowser();
    page = await newConsolePage(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('uploads titles, shows covers, refuses a non-book inline, assigns to a class and bulk-assigns a collection from the Class tab', async () => {
    const base = `${server.url}/customers/${customer.id}`;
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword, `${base}/users`);

    // Content is in the main navigation; with nothing uploaded it says how to start.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Content' }).click();
    await page.waitForURL(`${base}/content`);
    await visible(page.getByRole('heading', { name: 'No titles yet' }));
    await page.getByRole('link', { name: 'Upload title' }).click();
    await page.waitForURL(`${base}/content/upload`);

    // A text file named .pdf is refused by content, next to the drop zone.
    await page.locator('input[type="file"][name="file"]').setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('Meeting notes, not a PDF.\n') });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const fileError = page.locator('.field-error[role="alert"]');
    await visible(fileError);
    assert.match((await fileError.textContent()) ?? '', /neither an EPUB nor a PDF/);
    await screenshot(page, 'content-01-refused');
    await expectAccessible(page, 'content-01-refused');

    // An EPUB: title, author and cover come from the file.
    const novel = writeBookFile('class-novel.epub', await epub3({ title: 'The Lighthouse Keeper', author: 'Mara Quill', coverColor: [30, 110, 160] }));
    await page.locator('input[type="file"][name="file"]').setInputFiles(novel);
    await screenshot(page, 'content-02-upload-form');
    await expectAccessible(page, 'content-02-upload-form');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.waitForURL(new RegExp(`${base}/content/[^/]+\\?uploaded=1$`));
    await visible(page.getByRole('heading', { name: 'The Lighthouse Keeper', level: 1 }));
    assert.equal(await page.getByLabel('Author').inputValue(), 'Mara Quill');
    await visible(page.getByText('Uploaded. Check the title and author'));

    // Assign it to the class with the search picker.
    await page.getByLabel('Assign to users or classes').fill('Algebra');
    await page.getByRole('button', { name: /^Add Algebra P1/ }).click();
    await visible(page.getByRole('list', { name: 'Chosen' }).getByText('Algebra P1'));
    await page.getByRole('button', { name: 'Assign to 1 class' }).click();
    await visible(page.getByText('Assigned: 1 new assignment.'));
    const classes = page.getByRole('table', { name: 'Classes this title is assigned to' });
    await visible(classes.getByRole('link', { name: 'Algebra P1' }));
    assert.match((await classes.getByRole('row').nth(1).textContent()) ?? '', /3 people/);
    await screenshot(page, 'content-03-title-assigned', { fullPage: true, docsName: 'content-title.png' });
    await expectAccessible(page, 'content-03-title-assigned');

    // A PDF without metadata takes its title from the file name.
    await page.goto(`${base}/content/upload`);
    await page.locator('input[type="file"][name="file"]').setInputFiles(writeBookFile('Field_Guide.pdf', pdf({ pages: 2 })));
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Field Guide', level: 1 }));

    // The titles table shows the EPUB's cover (a real, loaded image) and a format card for the PDF.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Content' }).click();
    const table = page.getByRole('table', { name: 'Titles' });
    await visible(table.getByRole('link', { name: 'The Lighthouse Keeper' }));
    const cover = table.getByRole('row').filter({ hasText: 'The Lighthouse Keeper' }).locator('img.cover');
    await waitFor(() => cover.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth === 60), 'the cover image to load');
    assert.equal(await table.getByRole('row').filter({ hasText: 'Field Guide' }).locator('.cover-none').textContent(), 'PDF');
    await page.getByLabel('Search titles').fill('quill');
    const bodyRows = table.locator('tbody tr');
    await waitFor(async () => (await bodyRows.count()) === 1, 'the search to leave one title');
    await page.getByLabel('Search titles').fill('');
    await waitFor(async () => (await bodyRows.count()) === 2, 'both titles again');
    await screenshot(page, 'content-04-titles', { docsName: 'content-titles.png' });
    await expectAccessible(page, 'content-04-titles');

    // A collection holding the PDF, created and filled in the console.
    await page.getByRole('link', { name: 'Collections' }).click();
    await visible(page.getByRole('button', { name: 'Create collection' }));
    await expectAccessible(page, 'collections list');
    await page.getByLabel('Name').fill('Field work');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await visible(page.getByRole('heading', { name: 'Field work', level: 1 }));
    await page.getByLabel('Add titles').fill('field');
    await page.getByRole('button', { name: 'Add Field Guide' }).click();
    await page.getByRole('button', { name: 'Save titles and order' }).click();
    await visible(page.getByText('The titles and their order are saved.'));
    await expectAccessible(page, 'collection page');

    // Bulk assign from the Class tab: tick the class, choose the collection, assign.
    await page.goto(`${base}/classes`);
    await page.getByLabel('Select Algebra P1').check();
    await visible(page.getByText('1 class selected'));
    const choice = page.getByLabel('Title or collection');
    await waitFor(async () => (await choice.locator('option').count()) > 1, 'the titles and collections to load');
    await choice.selectOption({ label: 'Field work (1 title)' });
    await screenshot(page, 'content-05-bulk-assign');
    await expectAccessible(page, 'content-05-bulk-assign');
    await page.getByRole('button', { name: 'Assign to selected classes' }).click();
    await visible(page.getByText('Assigned 1 title to 1 class (1 new assignment).'));
    assert.equal(page.url(), `${base}/classes`, 'ticking a class does not open it');

    // The class page lists what is assigned to it; a student's page what they can read, and why.
    await page.getByRole('link', { name: 'Algebra P1' }).click();
    const classTitles = page.getByRole('region', { name: 'Titles assigned to this class (2)' });
    await visible(classTitles.getByRole('link', { name: 'The Lighthouse Keeper' }));
    await visible(classTitles.getByRole('link', { name: 'Field Guide' }));
    await page
      .getByRole('link', { name: /Sam One/ })
      .first()
      .click();
    const readable = page.getByRole('region', { name: 'Titles this person can read (2)' });
    await visible(readable.getByRole('row').filter({ hasText: 'Field Guide' }).getByRole('link', { name: 'Algebra P1' }));
    await screenshot(page, 'content-06-student-titles', { fullPage: true });
    await expectAccessible(page, 'content-06-student-titles');

    // The class's students may now read both titles; the parent, who is not enrolled, neither.
    const k = server.ctx.db.kysely;
    const idOf = async (sourcedId: string) => (await k.selectFrom('users').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
    for (const student of ['u-s1', 'u-s2'])
      assert.deepEqual(
        (await booksForUser(k, customer.id, await idOf(student))).map((b) => b.title),
        ['Field Guide', 'The Lighthouse Keeper'],
      );
    assert.deepEqual(await booksForUser(k, customer.id, await idOf('u-p')), []);
  });
});
