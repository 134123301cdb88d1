/*
 * Moving around the console in real Chromium against the real server: what a signed-in admin sees
 * when opening `/` or `/login` directly (once only the header, until a reload), Back and Forward,
 * a deep link, an address that is no page, and a list that shows a change made on another screen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { zipSource } from '../../src/rostering/runs/zip-source.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { district11, writeBundle } from '../helpers/bundles.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });

describe('console navigation in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  let base: string;
  /** A rostered student, whose row proves the Users list rendered (not only the page's frame). */
  let student: { id: string; name: string };

  before(async () => {
    server = await startConsoleServer();
    customer = await seedCustomer(server.ctx, {
      profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' },
      rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: '@lincoln' },
    });
    const bundle = await writeBundle(district11());
    const run = await server.ctx.runs.create(operatorActor, customer.id, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 1, sha256: 'x', bundlePath: bundle, dryRun: false });
    assert.equal((await server.ctx.runs.execute(run.runId, customer.id, zipSource(bundle))).status, 'succeeded');
    const row = await server.ctx.db.kysely
      .selectFrom('users')
      .select(['id', 'given_name', 'family_name'])
      .where('customer_id', '=', customer.id)
      .where('role', '=', 'student')
      .orderBy('family_name')
      .orderBy('given_name')
      .executeTakeFirstOrThrow();
    student = { id: row.id, name: `${row.given_name} ${row.family_name}` };
    base = `${server.url}/customers/${customer.id}`;
    browser = await launchBrowser();
    page = await newConsolePage(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The customer's Users page with its list, not only the header around it. */
  const onUsersPage = async () => {
    await page.waitForURL(`${base}/users`);
    await visible(page.getByRole('heading', { name: 'Users', level: 1 }));
    await visible(page.getByRole('table', { name: 'Users' }));
    await visible(
      page
        .getByRole('link', { name: student.name })
        .or(page.getByRole('cell', { name: student.name }))
        .first(),
    );
  };

  it('signed in, opening / or /login directly shows the users page, not a blank console (bug 1)', async () => {
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword, `${base}/users`);
    await onUsersPage();

    await page.goto(`${server.url}/`);
    await onUsersPage();
    await screenshot(page, 'navigation-01-home');

    await page.goto(`${server.url}/login`);
    await onUsersPage();
    assert.equal(await page.getByRole('heading', { name: 'Sign in' }).count(), 0, 'no sign-in form for someone signed in');
  });

  it('Back and Forward move between pages and show each one whole', async () => {
    await page.goto(`${base}/users`);
    await onUsersPage();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Content' }).click();
    await page.waitForURL(`${base}/content`);
    await visible(page.getByRole('heading', { name: 'Content', level: 1 }));
    await page
      .getByRole('link', { name: student.name })
      .or(page.getByRole('cell', { name: student.name }))
      .first()
      .waitFor({ state: 'detached' });

    await page.goBack();
    await onUsersPage();
    await page.goForward();
    await page.waitForURL(`${base}/content`);
    await visible(page.getByRole('heading', { name: 'Content', level: 1 }));
    assert.equal(await page.getByRole('table', { name: 'Users' }).count(), 0, 'the users list is gone from the Content page');
  });

  it('a deep link opens its page directly, also through sign-in', async () => {
    await page.goto(`${base}/users/${student.id}`);
    await visible(page.getByRole('heading', { name: student.name, level: 1 }));

    // Signed out, the same link asks for sign-in first and then opens the page asked for.
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const other = await fresh.newPage();
      other.setDefaultTimeout(10_000);
      await other.goto(`${base}/users/${student.id}`);
      await other.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === `/customers/${customer.id}/users/${student.id}`);
      await other.getByLabel('Login or email').fill(customer.adminEmail);
      await other.getByLabel('Password', { exact: true }).fill(customer.adminPassword);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.waitForURL(`${base}/users/${student.id}`);
      await visible(other.getByRole('heading', { name: student.name, level: 1 }));
    } finally {
      await fresh.close();
    }
  });

  it('an address that is no page says so and leads back to the start page', async () => {
    await page.goto(`${base}/no-such-page`);
    await visible(page.getByRole('heading', { name: 'Page not found', level: 1 }));
    await visible(page.getByRole('navigation', { name: 'Main' }));
    await screenshot(page, 'navigation-02-not-found');
    await expectAccessible(page, 'page not found');
    await page.getByRole('link', { name: 'Go to your start page' }).click();
    await onUsersPage();
  });

  it('a change made on one page shows in the list it changed, without a reload', async () => {
    await page.goto(`${base}/collections`);
    await visible(page.getByRole('heading', { name: 'No collections yet' }));
    await page.getByRole('textbox', { name: 'Name' }).fill('Grade 5 reading');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await page.waitForURL(new RegExp(`${base}/collections/[^/]+$`));

    // Rename it on its own page, then go back to the list the browser already showed.
    const details = page.getByRole('form', { name: 'Details' });
    await details.getByRole('textbox', { name: 'Name' }).fill('Grade 5 novels');
    await details.getByRole('button', { name: 'Save details' }).click();
    await visible(details.getByText('Saved.'));
    await page.goBack();
    await page.waitForURL(`${base}/collections`);
    const list = page.getByRole('table', { name: 'Collections' });
    await visible(list.getByRole('link', { name: 'Grade 5 novels' }));
    assert.equal(await list.getByText('Grade 5 reading').count(), 0, 'the old name is gone from the list');

    // Deleting one on its page leads back to the list, which no longer shows it.
    await list.getByRole('link', { name: 'Grade 5 novels' }).click();
    await page.getByRole('button', { name: 'Delete collection' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete collection' }).click();
    await page.waitForURL(`${base}/collections`);
    await visible(page.getByRole('heading', { name: 'No collections yet' }));
  });
});
